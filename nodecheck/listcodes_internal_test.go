package nodecheck

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// pagedService serves total codes of one order in pages, with the
// TotalRecordCount it is told to give (0: left out, as a service may).
type pagedService struct {
	Service
	total, reported int
	pages           int
}

func (s *pagedService) DescribeActivationCodes(_ context.Context, req *polarlicense.DescribeActivationCodesRequest) (*polarlicense.DescribeActivationCodesResponse, error) {
	s.pages++
	resp := &polarlicense.DescribeActivationCodesResponse{PageNumber: req.PageNumber, TotalRecordCount: s.reported}
	for id := (req.PageNumber-1)*req.PageSize + 1; id <= min(req.PageNumber*req.PageSize, s.total); id++ {
		resp.Items = append(resp.Items, polarlicense.ActivationCode{ID: int64(id)})
	}
	return resp, nil
}

// Every page is listed, whether or not the service gives the total: a
// service that left TotalRecordCount out had only its first page read, and
// a host's code on the second was "not for this host".
func TestListCodesReadsEveryPage(t *testing.T) {
	for _, reported := range []int{0, 53} {
		svc := &pagedService{total: 53, reported: reported}
		codes, err := listCodes(context.Background(), svc, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "1"})
		require.NoError(t, err)
		assert.Equal(t, 53, len(codes), "total reported %d", reported)
		assert.Equal(t, 2, svc.pages, "total reported %d", reported)
	}
	// A whole last page with the total left out: one more request, empty.
	svc := &pagedService{total: 100}
	codes, err := listCodes(context.Background(), svc, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	assert.Equal(t, 100, len(codes))
	assert.Equal(t, 3, svc.pages)
	// A service that never ends: bounded.
	svc = &pagedService{total: 1 << 20}
	codes, err = listCodes(context.Background(), svc, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	assert.Equal(t, maxListedCodes, len(codes))
}

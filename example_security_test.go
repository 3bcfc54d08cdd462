package polarlicense_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// A redirect is never followed: the signed request goes nowhere but the
// endpoint, and the 3xx comes back as a *RedirectError.
func ExampleRedirectError() {
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/?token=never-shown", http.StatusFound)
	}))
	defer moved.Close()
	client, err := polarlicense.NewClient(polarlicense.WithEndpoint(moved.URL), polarlicense.WithAccessKey("LTAI5tExampleKeyID", "example-secret"))
	if err != nil {
		panic(err)
	}
	_, err = client.DescribeLicenseOrders(context.Background(), nil)
	var re *polarlicense.RedirectError
	if errors.As(err, &re) {
		fmt.Println(re.StatusCode, re.Host)
	}
	// Output: 302 elsewhere.example
}

// Every fmt verb and every slog handler shows a license as "[REDACTED]";
// Reveal and Decode are the ways to its content.
func ExampleCertContent() {
	cert := polarlicense.NewCertContent("TElDRU5TRQ==")
	fmt.Printf("%v %s %q %x\n", cert, cert, cert, cert)
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("fetched", "certs", []polarlicense.CertContent{cert})
	b, _ := cert.Decode()
	fmt.Println(string(b))
	// Output:
	// [REDACTED] [REDACTED] [REDACTED] [REDACTED]
	// level=INFO msg=fetched certs=[[REDACTED]]
	// LICENSE
}

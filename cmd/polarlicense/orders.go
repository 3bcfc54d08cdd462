package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// orders list, orders get, orders virtual.

func (a *app) ordersCommand() *cobra.Command {
	cmd := groupCommand("orders", "List and show license orders; create or get virtual orders")
	cmd.AddCommand(a.ordersListCommand(), a.ordersGetCommand(), a.ordersVirtualCommand())
	return cmd
}

func (a *app) ordersListCommand() *cobra.Command {
	var (
		virtual, allowUnknown bool
		channel, pkg, engine  string
	)
	cmd := &cobra.Command{
		Use:   "list [--virtual] [--channel C] [--package-type T] [--engine E]",
		Short: "List license orders, every page",
		Long: `List every license order, walking all the pages.

--virtual keeps only virtual orders (--virtual=false only bought ones),
--channel and --package-type are the service's filters, --engine is applied
here (the service cannot filter by engine). Known channels: aliyun_market,
aliyun_public. Known package types: single_node_subscribe,
single_node_long_term, primary_backup_subscribe, primary_backup_long_term,
pre_generation_long_term. Any other value of --engine, --channel or
--package-type is refused as a mistake unless --allow-unknown (for values
the service added since this tool was built).`,
		Example: `  polarlicense orders list --engine PG
  polarlicense orders list --virtual -o json
  polarlicense orders list --channel aliyun_market --package-type primary_backup_subscribe -o csv`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			var err error
			if engine, err = knownValue("engine", engine, knownEngines, allowUnknown); err != nil {
				return err
			}
			if channel, err = knownValue("channel", channel, knownChannels, allowUnknown); err != nil {
				return err
			}
			if pkg, err = knownValue("package-type", pkg, knownPackageTypes, allowUnknown); err != nil {
				return err
			}
			req := &polarlicense.DescribeLicenseOrdersRequest{
				PurchaseChannel: polarlicense.PurchaseChannel(channel),
				PackageType:     polarlicense.PackageType(pkg),
			}
			if cmd.Flags().Changed("virtual") {
				req.VirtualOrder = polarlicense.Bool(virtual)
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			var rows []orderRecord
			seen := 0
			for o, err := range client.LicenseOrders(ctx, req) {
				if err != nil {
					return err
				}
				seen++
				a.progress.update("listing orders: %d", seen)
				if engine != "" && !strings.EqualFold(string(o.Engine), engine) {
					continue
				}
				rows = append(rows, newOrderRecord(&o))
			}
			a.progress.clear()
			return emitList(a, rows, orderTable)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&virtual, "virtual", false, "only virtual orders (--virtual=false: only bought orders)")
	f.StringVar(&channel, "channel", "", "only orders bought through this purchase `channel`")
	f.StringVar(&pkg, "package-type", "", "only orders of this package `type`")
	f.StringVar(&engine, "engine", "", "only orders of this `engine`: PG, Oracle or MySQL (filtered here)")
	f.BoolVar(&allowUnknown, "allow-unknown", false, "pass --engine, --channel and --package-type values this tool does not know")
	return cmd
}

func (a *app) ordersGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "get ORDER_ID",
		Short:   "Show one license order",
		Example: `  polarlicense orders get 239618016570503`,
		Args:    exactArgs("ORDER_ID"),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, args []string) error {
			client, err := a.newClient()
			if err != nil {
				return err
			}
			out, err := client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: args[0]})
			if err != nil {
				return about(err, args[0], 0)
			}
			return emitItem(a, newOrderRecord(&out.LicenseOrder))
		}),
	}
}

func (a *app) ordersVirtualCommand() *cobra.Command {
	var engine string
	cmd := &cobra.Command{
		Use:   "virtual --engine PG|Oracle|MySQL",
		Short: "Create, or get, the virtual order of an engine",
		Long: `Return the virtual license order of an engine, creating it on first use. It is
idempotent: every call for the same engine returns the same order.`,
		Example: `  polarlicense orders virtual --engine PG`,
		Args:    exactArgs(),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			e, ok := parseEngine(engine)
			if !ok {
				return usagef("invalid --engine %q: want PG, Oracle or MySQL", engine)
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			out, err := client.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: e})
			if err != nil {
				return err
			}
			o := out.LicenseOrder
			if o.Engine == "" { // the service does not say: it is the one asked for
				o.Engine = e
			}
			return emitItem(a, newOrderRecord(&o))
		}),
	}
	cmd.Flags().StringVar(&engine, "engine", "", "the `engine`: PG, Oracle or MySQL (required)")
	_ = cmd.MarkFlagRequired("engine")
	return cmd
}

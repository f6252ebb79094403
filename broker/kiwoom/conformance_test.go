package kiwoom_test

import (
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/clock"
)

// kwStocks are the stocks and prices these tests were worked out at, each
// at its previous close and price (Samsung Electronics up 1,000 from
// 70,000, SK hynix down 5,000 from 185,000): a test that depends on a price
// lists them (KiwoomFakeOptions.Stocks) rather than leaning on the fake's
// default table.
var kwStocks = []brokertest.Stock{
	{Code: "005930", Name: "삼성전자", PrevClose: 70_000, Price: 71_000},
	{Code: "000660", Name: "SK하이닉스", PrevClose: 185_000, Price: 180_000},
	{Code: "035720", Name: "카카오", Price: 42_000},
}

// newClient starts a fake and a client pointed at it. Zero options take
// the fake's credentials and address.
func newClient(t *testing.T, fo brokertest.KiwoomFakeOptions, co kiwoom.Options) (*kiwoom.Client, *brokertest.KiwoomFake) {
	t.Helper()
	if fo.Clock == nil && co.Clock == nil {
		// Rate limits, backoff and token expiry run on an injected clock
		// that moves whenever something waits on it: no test waits on the
		// wall clock for a rate window (issue 12.18).
		clk := clock.NewFake(start)
		autoAdvance(t, clk, 50*time.Millisecond)
		fo.Clock, co.Clock = clk, clk
	}
	fake := brokertest.NewKiwoomServer(fo)
	t.Cleanup(fake.Close)
	if co.AppKey == "" {
		co.AppKey = brokertest.KiwoomFakeAppKey
	}
	if co.SecretKey == "" {
		co.SecretKey = brokertest.KiwoomFakeSecretKey
	}
	if co.BaseURL == "" {
		co.BaseURL = fake.URL()
	}
	if co.Mode == "" {
		co.Mode = fo.Mode
	}
	c, err := kiwoom.New(co)
	if err != nil {
		t.Fatalf("kiwoom.New: %v", err)
	}
	return c, fake
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, enc := range []struct {
		name string
		enc  brokertest.KiwoomErrorEncoding
		mode string
	}{
		{"live_errors_mock", brokertest.KiwoomErrorsLive, "mock"},
		{"code_errors_live", brokertest.KiwoomErrorsCode, "live"},
	} {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			brokertest.Conformance(t, func(t *testing.T) broker.Broker {
				c, _ := newClient(t, brokertest.KiwoomFakeOptions{Errors: enc.enc, Mode: enc.mode}, kiwoom.Options{})
				return c
			})
		})
	}
}

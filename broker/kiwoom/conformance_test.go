package kiwoom_test

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
)

// newClient starts a fake and a client pointed at it. Zero options take
// the fake's credentials and address.
func newClient(t *testing.T, fo brokertest.KiwoomFakeOptions, co kiwoom.Options) (*kiwoom.Client, *brokertest.KiwoomFake) {
	t.Helper()
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

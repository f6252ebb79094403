package main

import "github.com/hoga-trade/hoga/broker/brokertest"

// startKiwoom runs the fake Kiwoom REST server. -mode picks the
// environment it plays (mock: "모의투자 …" order desk answers; live: the
// live codes), and the printed settings point hoga at it. It lists the
// fake's default, paper's table (brokertest.ListedStocks), so /help's
// examples work here too.
func startKiwoom(cfg config) (*fake, error) {
	srv, err := brokertest.StartKiwoomServer(brokertest.KiwoomFakeOptions{
		Mode:        cfg.mode,
		Cash:        cfg.cash,
		Addr:        cfg.addr,
		MarketHours: cfg.marketHours,
		Logger:      cfg.logger,
	})
	if err != nil {
		return nil, err
	}
	key, secret, _ := srv.Credentials()
	return &fake{
		url: srv.URL(),
		env: []string{
			"HOGA_BROKER=kiwoom",
			"HOGA_MODE=" + srv.Mode(),
			"HOGA_KIWOOM_BASE_URL=" + srv.URL(),
			"HOGA_KIWOOM_APP_KEY=" + key,
			"HOGA_KIWOOM_SECRET_KEY=" + secret,
			// The fake serves Kiwoom's WebSocket (/api/dostk/websocket)
			// on the same port: without this hoga turns its stream off
			// for an overridden REST host (issue 12).
			"HOGA_KIWOOM_WS_URL=" + srv.WSURL(),
		},
		market: market{
			codes: srv.Codes(),
			price: srv.Price,
			set:   func(code string, p int64) { srv.SetPrice(code, p) },
		},
		close: srv.Close,
	}, nil
}

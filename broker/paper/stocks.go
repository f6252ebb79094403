package paper

import (
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// listing is one stock the exchange trades.
type listing struct {
	code   broker.Code
	name   string // as KRX lists it
	market string // KOSPI or KOSDAQ
	ref    int64  // reference price the walk starts from and reverts to
}

// listings are well-known KOSPI and KOSDAQ names, sorted by code (the walk
// draws random numbers in this order, so the order is part of what a seed
// reproduces). Reference prices are illustrative round figures near where
// these stocks traded in 2026 — Samsung Electronics about 200,000 won and
// SK hynix about 1,000,000 after the early-2026 memory rally (KRX closes
// of 2026-02-24 as reported by newspim and Herald), Samsung Biologics about
// 1,650,000 after its November 2025 split — not market data; all are on
// the tick grid.
var listings = []listing{
	{"000270", "기아", "KOSPI", 128_000},
	{"000660", "SK하이닉스", "KOSPI", 985_000},
	{"003550", "LG", "KOSPI", 92_300},
	{"005380", "현대차", "KOSPI", 350_000},
	{"005490", "POSCO홀딩스", "KOSPI", 345_000},
	{"005930", "삼성전자", "KOSPI", 198_000},
	{"006400", "삼성SDI", "KOSPI", 355_000},
	{"012330", "현대모비스", "KOSPI", 395_000},
	{"028260", "삼성물산", "KOSPI", 265_000},
	{"035420", "NAVER", "KOSPI", 255_000},
	{"035720", "카카오", "KOSPI", 61_200},
	{"051910", "LG화학", "KOSPI", 365_000},
	{"055550", "신한지주", "KOSPI", 78_500},
	{"066570", "LG전자", "KOSPI", 96_500},
	{"068270", "셀트리온", "KOSPI", 182_000},
	{"086520", "에코프로", "KOSDAQ", 102_000},
	{"105560", "KB금융", "KOSPI", 128_000},
	{"196170", "알테오젠", "KOSDAQ", 475_000},
	{"207940", "삼성바이오로직스", "KOSPI", 1_650_000},
	{"247540", "에코프로비엠", "KOSDAQ", 158_000},
	{"373220", "LG에너지솔루션", "KOSPI", 415_000},
}

// Stocks returns the codes the paper exchange lists and their Korean names,
// for help text ("try /price 005930"). Any other code is NotFound.
func Stocks() map[broker.Code]string {
	m := make(map[broker.Code]string, len(listings))
	for _, l := range listings {
		m[l.code] = l.name
	}
	return m
}

// instruments are the listings as the market lists them.
func instruments() []market.Instrument {
	out := make([]market.Instrument, len(listings))
	for i, l := range listings {
		out[i] = market.Instrument{Code: l.code, Name: l.name, Market: l.market, Ref: l.ref}
	}
	return out
}

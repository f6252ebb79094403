package main

import "github.com/hoga-trade/hoga/broker/brokertest"

// kisStocks are the stocks and prices the tests here on the KIS fake were
// worked out at (Samsung Electronics at 65,800: limits 46,100–85,500, so a
// /buy at 70,000 is inside them; SK hynix at 198,500). A test that depends
// on a price lists them (KISFakeOptions.Stocks) rather than leaning on the
// fake's default, the simulated market's table (brokertest.ListedStocks).
var kisStocks = []brokertest.Stock{
	{Code: "005930", Name: "삼성전자", Price: 65_800},
	{Code: "000660", Name: "SK하이닉스", Price: 198_500},
}

// kwStocks are the stocks and prices the tests here on the Kiwoom fake
// were worked out at, each at its previous close and price (Samsung
// Electronics up 1,000 from 70,000, SK hynix down 5,000 from 185,000).
var kwStocks = []brokertest.Stock{
	{Code: "005930", Name: "삼성전자", PrevClose: 70_000, Price: 71_000},
	{Code: "000660", Name: "SK하이닉스", PrevClose: 185_000, Price: 180_000},
	{Code: "035720", Name: "카카오", Price: 42_000},
}

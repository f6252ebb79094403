package market

import "github.com/hoga-trade/hoga/broker"

// MaxPrice bounds a price (134 million won; KRX's highest prices are a few
// million) so that every sum of money stays in int64.
const MaxPrice = 1 << 27

// Limits returns KRX's daily price limits for a base price (normally the
// previous close). KRX's rule (유가증권시장·코스닥시장 업무규정 시행세칙, 가격제한폭;
// law.krx.co.kr, 유가증권시장 업무규정 lawid=000109): the width is 30% of
// the base with the part below the base price's tick cut off (기준가격에
// 대응하는 호가가격단위 미만 절사); an upper limit that then falls off its own
// bracket's grid is cut down to it (절사) and a lower limit rounded up (절상)
// — both toward the base. A real broker's stck_mxpr/stck_llam or
// upl_pric/lst_pric win where a listing differs (ETFs, new listings).
//
// Example: base 2,015 (tick 5): 30% is 604.5, cut to the 5-won tick 600,
// so 2,615 and 1,415. Rounding 70% of the base up gives 1,411 and then
// 1,411 (tick 1 below 2,000) — one of the twin bugs this package replaced.
func Limits(base int64) (upper, lower int64) {
	t := broker.TickSize(base)
	width := base * 3 / 10 / t * t
	upper = broker.SnapDown(min(base+width, MaxPrice))
	lower = broker.SnapUp(max(1, base-width))
	return upper, lower
}

package telegramtest_test

import (
	"context"
	"fmt"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// A test starts the fake, points the client at srv.URL, and reads back
// what the chat shows.
func ExampleStart() {
	srv := telegramtest.Start(telegramtest.Config{Token: "123456:TEST"})
	defer srv.Close()
	client, _ := tgbot.New("123456:TEST", tgbot.WithServerURL(srv.URL), tgbot.WithSkipGetMe())

	_, err := client.SendMessage(context.Background(), &tgbot.SendMessageParams{
		ChatID: 111, Text: "<b>삼성전자</b> 70,000원", ParseMode: models.ParseModeHTML})
	fmt.Println(err)
	_, err = client.SendMessage(context.Background(), &tgbot.SendMessageParams{
		ChatID: 111, Text: "<b>unclosed", ParseMode: models.ParseModeHTML})
	fmt.Println(err)
	for _, m := range srv.BotMessages(111) {
		fmt.Printf("%q (sent as %q)\n", m.Text, m.HTML)
	}
	// Output:
	// <nil>
	// bad request, Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"
	// "삼성전자 70,000원" (sent as "<b>삼성전자</b> 70,000원")
}

"""個人番号カード: 送付先情報 (J-LIS 個人番号カード管理システム) and card status events (docs/cards.md)."""

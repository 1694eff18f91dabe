"""閲覧台帳: 住民基本台帳の一部の写しの閲覧 (住基法11条 国等, 11条の2 個人等; spec 9.5, 20.3.1).

The 閲覧申出 (受付 → 審査 → 閲覧の実施), the 閲覧用リスト of an approved 申出 and the yearly
閲覧状況の公表 (法11条3項, 11条の2第12項).  See docs/inspection.md."""

"""Hand-kept tables for foreign residents: nationalities, names, 在留資格, 在留期間.

Shares follow the 出入国在留管理庁 statistics of foreign residents in Japan (2024–2025,
rounded): 中国 ≈ 23 %, ベトナム ≈ 17 %, 韓国 ≈ 10 %, フィリピン ≈ 9 %, ネパール ≈ 6 %,
ブラジル, インドネシア ≈ 5–6 % each, then ミャンマー, 台湾, 米国, タイ, スリランカ …; 朝鮮 is
small and almost all 特別永住者.  Which 在留資格 a person holds depends on the
nationality (技能実習 for ベトナム and インドネシア, 特別永住者 for 韓国 and 朝鮮,
永住者/定住者 for ブラジル …).

Names are romanised as on the 在留カード (surname first), with a katakana reading and,
for 漢字圏 nationalities, the 漢字氏名.  Entries are "ROMAN:カナ" or "ROMAN:カナ:漢字".
"""

from __future__ import annotations

from dataclasses import dataclass

# 在留資格 (入管法 別表) used here.
PERMANENT = "永住者"
ENGINEER = "技術・人文知識・国際業務"
TRAINEE = "技能実習"
SPECIFIED_SKILLED = "特定技能"
STUDENT = "留学"
DEPENDENT = "家族滞在"
LONG_TERM = "定住者"
SPOUSE_OF_JAPANESE = "日本人の配偶者等"
SPOUSE_OF_PERMANENT = "永住者の配偶者等"
SKILLED_LABOR = "技能"
BUSINESS_MANAGER = "経営・管理"
DESIGNATED_ACTIVITIES = "特定活動"
INSTRUCTOR = "教育"
PROFESSOR = "教授"

RESIDENCE_STATUSES = (
    PERMANENT,
    ENGINEER,
    TRAINEE,
    SPECIFIED_SKILLED,
    STUDENT,
    DEPENDENT,
    LONG_TERM,
    SPOUSE_OF_JAPANESE,
    SPOUSE_OF_PERMANENT,
    SKILLED_LABOR,
    BUSINESS_MANAGER,
    DESIGNATED_ACTIVITIES,
    INSTRUCTOR,
    PROFESSOR,
)

# 在留期間 a status can be granted for, as (years, months) with weights (施行規則 別表第二).
# None = 無期限 (永住者).
PERIODS: dict[str, tuple[tuple[tuple[int, int], float], ...] | None] = {
    PERMANENT: None,
    ENGINEER: (((5, 0), 3), ((3, 0), 5), ((1, 0), 2)),
    TRAINEE: (((1, 0), 6), ((2, 0), 4)),
    SPECIFIED_SKILLED: (((1, 0), 6), ((3, 0), 4)),
    STUDENT: (((1, 3), 3), ((2, 3), 3), ((1, 0), 2), ((2, 0), 1), ((4, 3), 1)),
    DEPENDENT: (((1, 0), 4), ((3, 0), 4), ((5, 0), 2)),
    LONG_TERM: (((1, 0), 3), ((3, 0), 4), ((5, 0), 3)),
    SPOUSE_OF_JAPANESE: (((1, 0), 3), ((3, 0), 5), ((5, 0), 2)),
    SPOUSE_OF_PERMANENT: (((1, 0), 3), ((3, 0), 5), ((5, 0), 2)),
    SKILLED_LABOR: (((1, 0), 3), ((3, 0), 4), ((5, 0), 3)),
    BUSINESS_MANAGER: (((1, 0), 4), ((3, 0), 4), ((5, 0), 2)),
    DESIGNATED_ACTIVITIES: (((0, 6), 3), ((1, 0), 5), ((3, 0), 2)),
    INSTRUCTOR: (((1, 0), 4), ((3, 0), 4), ((5, 0), 2)),
    PROFESSOR: (((1, 0), 2), ((3, 0), 4), ((5, 0), 4)),
}

# Statuses whose holders may bring a family (spouse and children as 家族滞在 etc.).
FAMILY_STATUSES = frozenset(
    {PERMANENT, ENGINEER, LONG_TERM, SKILLED_LABOR, BUSINESS_MANAGER, INSTRUCTOR, PROFESSOR, SPOUSE_OF_PERMANENT}
)
# Statuses held mostly by young single workers and students.
SINGLE_STATUSES = frozenset({TRAINEE, SPECIFIED_SKILLED, STUDENT})

SPECIAL_PERMANENT = "特別永住者"  # not a 在留資格: the SPECIAL_PERMANENT 区分


@dataclass(frozen=True, slots=True)
class Nationality:
    name: str  # 国籍・地域 as written on the 住民票
    weight: float
    statuses: tuple[tuple[str, float], ...]  # 在留資格 or SPECIAL_PERMANENT, with weights
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    alias_share: float = 0.03  # share of adults with a 通称
    country: str = ""  # 転入前住所 for an arrival from abroad (defaults to ``name``)

    @property
    def has_kanji(self) -> bool:
        return self.surnames[0].count(":") == 2


# fmt: off
NATIONALITIES: tuple[Nationality, ...] = (
    Nationality(
        "中国", 23,
        (
            (PERMANENT, 35), (ENGINEER, 20), (STUDENT, 15), (TRAINEE, 5), (SPECIFIED_SKILLED, 4), (LONG_TERM, 4),
            (SPOUSE_OF_JAPANESE, 5), (BUSINESS_MANAGER, 5), (SKILLED_LABOR, 4), (PROFESSOR, 1),
            (SPECIAL_PERMANENT, 1),
        ),
        (
            "WANG:ワン:王", "LI:リ:李", "ZHANG:チャン:張", "LIU:リュウ:劉", "CHEN:チェン:陳", "YANG:ヤン:楊",
            "ZHAO:チャオ:趙", "HUANG:ホアン:黄", "ZHOU:チョウ:周", "WU:ウー:呉", "XU:シュ:徐", "SUN:スン:孫",
            "MA:マー:馬", "ZHU:チュウ:朱", "HU:フー:胡", "GUO:グオ:郭", "LIN:リン:林", "HE:ホー:何",
        ),
        (
            "WEI:ウェイ:偉", "QIANG:チアン:強", "LEI:レイ:磊", "JUN:ジュン:軍", "YONG:ヨン:勇", "JIE:ジエ:傑",
            "TAO:タオ:涛", "MING:ミン:明", "CHAO:チャオ:超", "HAO:ハオ:浩", "YU:ユー:宇", "PENG:ポン:鵬",
        ),
        (
            "FANG:ファン:芳", "NA:ナー:娜", "MIN:ミン:敏", "JING:ジン:静", "LI:リー:麗", "YAN:イェン:燕",
            "XIU:シウ:秀", "JUAN:ジュアン:娟", "XIA:シア:霞", "TING:ティン:婷", "YING:イン:穎", "LIN:リン:琳",
        ),
        alias_share=0.08,
    ),
    Nationality(
        "ベトナム", 17,
        (
            (TRAINEE, 34), (SPECIFIED_SKILLED, 26), (ENGINEER, 16), (STUDENT, 12), (PERMANENT, 6), (LONG_TERM, 2),
            (DESIGNATED_ACTIVITIES, 3), (SPOUSE_OF_JAPANESE, 1),
        ),
        (
            "NGUYEN:グエン", "TRAN:チャン", "LE:レ", "PHAM:ファム", "HOANG:ホアン", "HUYNH:フイン", "PHAN:ファン",
            "VU:ヴー", "VO:ヴォー", "DANG:ダン", "BUI:ブイ", "DO:ドー", "NGO:ゴー", "DUONG:ズオン",
        ),
        (
            "VAN HUNG:ヴァン フン", "VAN NAM:ヴァン ナム", "DUC ANH:ドゥック アイン", "MINH TUAN:ミン トゥアン",
            "QUANG HUY:クアン フイ", "VAN DUNG:ヴァン ズン", "THANH LONG:タイン ロン", "HOANG NAM:ホアン ナム",
        ),
        (
            "THI HUONG:ティ フオン", "THI LAN:ティ ラン", "THI MAI:ティ マイ", "THI THU:ティ トゥー",
            "THI HANG:ティ ハン", "NGOC ANH:ゴック アイン", "THI NGA:ティ ガー", "THU TRANG:トゥー チャン",
        ),
    ),
    Nationality(
        "韓国", 10,
        (
            (SPECIAL_PERMANENT, 42), (PERMANENT, 24), (ENGINEER, 14), (STUDENT, 5), (SPOUSE_OF_JAPANESE, 7),
            (BUSINESS_MANAGER, 4), (LONG_TERM, 2), (DEPENDENT, 2),
        ),
        (
            "KIM:キム:金", "LEE:イ:李", "PARK:パク:朴", "CHOI:チェ:崔", "JUNG:チョン:鄭", "KANG:カン:姜",
            "CHO:チョ:趙", "YOON:ユン:尹", "JANG:チャン:張", "LIM:イム:林", "HAN:ハン:韓", "SHIN:シン:申",
        ),
        (
            "MINJUN:ミンジュン:珉俊", "JIHOON:ジフン:智勲", "SUNGHO:ソンホ:成浩", "YOUNGSOO:ヨンス:永洙",
            "JUNHO:ジュンホ:俊浩", "DONGHYUN:ドンヒョン:東賢", "SEONGMIN:ソンミン:成珉", "CHULSOO:チョルス:哲洙",
        ),
        (
            "SOYEON:ソヨン:素妍", "MINJI:ミンジ:珉智", "JIYOUNG:ジヨン:智英", "HYEJIN:ヘジン:恵真",
            "YOUNGHEE:ヨンヒ:英姫", "EUNJI:ウンジ:恩智", "SUJIN:スジン:秀真", "MIKYUNG:ミギョン:美京",
        ),
        alias_share=0.35,
    ),
    Nationality(
        "フィリピン", 9,
        (
            (PERMANENT, 45), (LONG_TERM, 15), (SPOUSE_OF_JAPANESE, 12), (SPECIFIED_SKILLED, 10), (TRAINEE, 10),
            (ENGINEER, 4), (DESIGNATED_ACTIVITIES, 2), (SPOUSE_OF_PERMANENT, 2),
        ),
        (
            "SANTOS:サントス", "REYES:レイエス", "CRUZ:クルス", "BAUTISTA:バウティスタ", "GARCIA:ガルシア",
            "MENDOZA:メンドーサ", "DELA CRUZ:デラクルス", "RAMOS:ラモス", "AQUINO:アキノ", "CASTILLO:カスティーヨ",
            "VILLANUEVA:ビジャヌエバ", "TORRES:トーレス",
        ),
        (
            "JOSE:ホセ", "MARK:マーク", "JOHN PAUL:ジョン ポール", "ROMEO:ロメオ", "MICHAEL:マイケル",
            "RONALDO:ロナルド", "JERICO:ジェリコ", "ARIEL:アリエル",
        ),
        (
            "MARIA:マリア", "MARIBEL:マリベル", "JOCELYN:ジョセリン", "ROSALIE:ロザリー", "CHERRY:チェリー",
            "MARICEL:マリセル", "JENNIFER:ジェニファー", "LIZA:リザ",
        ),
    ),
    Nationality(
        "ネパール", 6.5,
        (
            (ENGINEER, 30), (STUDENT, 33), (SKILLED_LABOR, 15), (SPECIFIED_SKILLED, 8), (PERMANENT, 7),
            (BUSINESS_MANAGER, 5), (DESIGNATED_ACTIVITIES, 2),
        ),
        (
            "GURUNG:グルン", "SHRESTHA:シュレスタ", "TAMANG:タマン", "MAGAR:マガル", "RAI:ライ", "THAPA:タパ",
            "SHARMA:シャルマ", "ADHIKARI:アディカリ", "BHANDARI:バンダリ", "POUDEL:パウデル", "KHADKA:カドカ",
        ),
        (
            "RAM:ラム", "BIKASH:ビカス", "SURESH:スレス", "RAJESH:ラジェス", "SANTOSH:サントス", "PRAKASH:プラカス",
            "ANIL:アニル", "DIPAK:ディパク",
        ),
        (
            "SITA:シタ", "GITA:ギタ", "SABITRI:サビトリ", "ANJALI:アンジャリ", "SUNITA:スニタ", "PUJA:プジャ",
            "RITA:リタ", "SARASWATI:サラスワティ",
        ),
    ),
    Nationality(
        "ブラジル", 5.6,
        (
            (PERMANENT, 55), (LONG_TERM, 34), (SPOUSE_OF_JAPANESE, 8), (ENGINEER, 2), (SPOUSE_OF_PERMANENT, 1),
        ),
        (
            "SILVA:シルバ", "SANTOS:サントス", "OLIVEIRA:オリベイラ", "SOUZA:ソウザ", "PEREIRA:ペレイラ", "LIMA:リマ",
            "COSTA:コスタ", "FERREIRA:フェレイラ", "RODRIGUES:ロドリゲス", "ALVES:アウベス", "NAKAMURA:ナカムラ",
            "SATO:サトウ", "TANAKA:タナカ", "YAMAMOTO:ヤマモト",
        ),
        (
            "JOAO:ジョアン", "PEDRO:ペドロ", "LUCAS:ルーカス", "CARLOS:カルロス", "PAULO:パウロ", "MARCOS:マルコス",
            "RAFAEL:ハファエル", "FELIPE:フェリペ",
        ),
        (
            "ANA:アナ", "MARIANA:マリアナ", "JULIANA:ジュリアナ", "FERNANDA:フェルナンダ", "CAMILA:カミラ",
            "PATRICIA:パトリシア", "BEATRIZ:ベアトリス", "LUCIANA:ルシアナ",
        ),
    ),
    Nationality(
        "インドネシア", 5.5,
        (
            (TRAINEE, 45), (SPECIFIED_SKILLED, 34), (STUDENT, 8), (ENGINEER, 7), (PERMANENT, 4),
            (DESIGNATED_ACTIVITIES, 2),
        ),
        (
            "SAPUTRA:サプトラ", "PRATAMA:プラタマ", "HIDAYAT:ヒダヤット", "SETIAWAN:スティアワン",
            "WIJAYA:ウィジャヤ", "KURNIAWAN:クルニアワン", "NUGROHO:ヌグロホ", "SANTOSO:サントソ", "LESTARI:レスタリ",
            "WATI:ワティ",
        ),
        (
            "AGUS:アグス", "BUDI:ブディ", "RIZKY:リズキ", "ADI:アディ", "DEDI:デディ", "EKO:エコ", "FAJAR:ファジャル",
            "ARIF:アリフ",
        ),
        (
            "SITI:シティ", "DEWI:デウィ", "PUTRI:プトリ", "RINA:リナ", "AYU:アユ", "INDAH:インダ", "NUR:ヌル",
            "FITRI:フィトリ",
        ),
    ),
    Nationality(
        "ミャンマー", 4,
        (
            (TRAINEE, 30), (SPECIFIED_SKILLED, 25), (STUDENT, 14), (ENGINEER, 15), (DESIGNATED_ACTIVITIES, 11),
            (PERMANENT, 5),
        ),
        (
            "AUNG:アウン", "KYAW:チョー", "ZAW:ゾー", "HTET:テッ", "MIN:ミン", "SU:スー", "THIN:ティン", "NAN:ナン",
        ),
        (
            "AUNG:アウン", "ZIN:ジン", "MIN:ミン", "NAING:ナイン", "THU:トゥ", "OO:ウー",
        ),
        (
            "MYAT:ミャッ", "THIN:ティン", "HNIN:ニン", "THU:トゥ", "WAI:ウェイ", "MON:モン",
        ),
    ),
    Nationality(
        "台湾", 1.9,
        (
            (PERMANENT, 35), (ENGINEER, 30), (STUDENT, 14), (SPOUSE_OF_JAPANESE, 10), (BUSINESS_MANAGER, 7),
            (SPECIAL_PERMANENT, 4),
        ),
        (
            "CHEN:チェン:陳", "LIN:リン:林", "HUANG:ホアン:黄", "CHANG:チャン:張", "LEE:リー:李", "WANG:ワン:王",
            "WU:ウー:呉", "LIU:リュウ:劉",
        ),
        (
            "CHIH-HAO:ジーハオ:志豪", "CHIA-HAO:ジアハオ:家豪", "CHENG-EN:チェンエン:承恩",
            "CHUN-HUNG:ジュンホン:俊宏",
        ),
        (
            "YI-TING:イーティン:怡婷", "SHU-FEN:シューフェン:淑芬", "YA-TING:ヤーティン:雅婷",
            "MEI-LING:メイリン:美玲",
        ),
        alias_share=0.08,
    ),
    Nationality(
        "米国", 1.7,
        (
            (PERMANENT, 33), (ENGINEER, 28), (SPOUSE_OF_JAPANESE, 17), (INSTRUCTOR, 12), (PROFESSOR, 5),
            (BUSINESS_MANAGER, 5),
        ),
        (
            "SMITH:スミス", "JOHNSON:ジョンソン", "WILLIAMS:ウィリアムズ", "BROWN:ブラウン", "JONES:ジョーンズ",
            "MILLER:ミラー", "DAVIS:デイビス", "WILSON:ウィルソン",
        ),
        (
            "JAMES:ジェームズ", "JOHN:ジョン", "ROBERT:ロバート", "MICHAEL:マイケル", "DAVID:デイビッド",
        ),
        (
            "MARY:メアリー", "JENNIFER:ジェニファー", "LINDA:リンダ", "SARAH:サラ", "EMILY:エミリー",
        ),
        country="アメリカ合衆国",
    ),
    Nationality(
        "タイ", 1.7,
        (
            (PERMANENT, 35), (TRAINEE, 20), (SPECIFIED_SKILLED, 15), (SPOUSE_OF_JAPANESE, 15), (ENGINEER, 10),
            (STUDENT, 5),
        ),
        (
            "SAETANG:セータン", "SRISUK:シースック", "WONGSA:ウォンサ", "CHAIYAPORN:チャイヤポン",
        ),
        (
            "SOMCHAI:ソムチャイ", "ANAN:アナン", "KITTI:キッティ",
        ),
        (
            "SOMSRI:ソムシー", "NARISA:ナリサ", "PORNPIMOL:ポンピモン",
        ),
    ),
    Nationality(
        "スリランカ", 1.8,
        (
            (STUDENT, 30), (ENGINEER, 25), (SPECIFIED_SKILLED, 15), (DESIGNATED_ACTIVITIES, 12), (PERMANENT, 10),
            (BUSINESS_MANAGER, 8),
        ),
        (
            "PERERA:ペレラ", "FERNANDO:フェルナンド", "SILVA:シルバ", "JAYASINGHE:ジャヤシンハ",
        ),
        (
            "NUWAN:ヌワン", "KASUN:カスン", "CHAMARA:チャマラ",
        ),
        (
            "DILANI:ディラニ", "NIROSHA:ニローシャ", "SANDYA:サンドヤ",
        ),
    ),
    Nationality(
        "インド", 1.5,
        (
            (ENGINEER, 45), (SKILLED_LABOR, 15), (PERMANENT, 15), (STUDENT, 10), (BUSINESS_MANAGER, 10),
            (PROFESSOR, 5),
        ),
        (
            "SINGH:シン", "KUMAR:クマール", "SHARMA:シャルマ", "PATEL:パテル", "GUPTA:グプタ", "REDDY:レッディ",
        ),
        (
            "RAHUL:ラフル", "AMIT:アミット", "VIKRAM:ヴィクラム", "ARJUN:アルジュン",
        ),
        (
            "PRIYA:プリヤ", "ANITA:アニタ", "DEEPA:ディーパ", "KAVYA:カーヴィヤ",
        ),
    ),
    Nationality(
        "ペルー", 1.2,
        (
            (PERMANENT, 60), (LONG_TERM, 30), (SPOUSE_OF_JAPANESE, 10),
        ),
        (
            "GARCIA:ガルシア", "RODRIGUEZ:ロドリゲス", "FLORES:フローレス", "QUISPE:キスペ", "HIGA:ヒガ",
        ),
        (
            "JUAN:フアン", "LUIS:ルイス", "JORGE:ホルヘ",
        ),
        (
            "ROSA:ロサ", "CARMEN:カルメン", "LUCIA:ルシア",
        ),
    ),
    Nationality(
        "バングラデシュ", 0.9,
        (
            (ENGINEER, 35), (STUDENT, 25), (PERMANENT, 20), (BUSINESS_MANAGER, 20),
        ),
        (
            "HOSSAIN:ホサイン", "RAHMAN:ラフマン", "ISLAM:イスラム", "AHMED:アハメド",
        ),
        (
            "RASEL:ラセル", "KARIM:カリム", "HASAN:ハサン",
        ),
        (
            "FATEMA:ファテマ", "NASRIN:ナスリン", "SUMAIYA:スマイヤ",
        ),
    ),
    Nationality(
        "パキスタン", 0.6,
        (
            (PERMANENT, 40), (BUSINESS_MANAGER, 30), (ENGINEER, 15), (SPOUSE_OF_JAPANESE, 15),
        ),
        (
            "KHAN:カーン", "ALI:アリ", "AHMAD:アハマド", "HUSSAIN:フセイン",
        ),
        (
            "IMRAN:イムラン", "BILAL:ビラル", "USMAN:ウスマン",
        ),
        (
            "AYESHA:アイシャ", "SANA:サナ", "FATIMA:ファティマ",
        ),
    ),
    Nationality(
        "朝鮮", 0.6,
        (
            (SPECIAL_PERMANENT, 97), (PERMANENT, 3),
        ),
        (
            "KIM:キム:金", "LEE:リ:李", "PARK:パク:朴", "KANG:カン:姜", "HAN:ハン:韓", "CHOE:チェ:崔",
        ),
        (
            "YONGSU:ヨンス:英洙", "CHOLHO:チョルホ:哲浩", "KWANGIL:クァンイル:光一", "SONGMIN:ソンミン:成民",
        ),
        (
            "YONGHUI:ヨンヒ:英姫", "SUNJA:スンジャ:順子", "MIHYANG:ミヒャン:美香", "KYONGSUK:キョンスク:京淑",
        ),
        alias_share=0.5,
    ),
    Nationality(
        "英国", 0.5,
        (
            (PERMANENT, 30), (ENGINEER, 30), (INSTRUCTOR, 20), (SPOUSE_OF_JAPANESE, 20),
        ),
        (
            "TAYLOR:テイラー", "SMITH:スミス", "BROWN:ブラウン", "EVANS:エバンズ",
        ),
        (
            "OLIVER:オリバー", "GEORGE:ジョージ", "HARRY:ハリー",
        ),
        (
            "EMMA:エマ", "SOPHIE:ソフィー", "CHARLOTTE:シャーロット",
        ),
    ),
)
# fmt: on

# Nationality of a 国籍喪失 person (they took another nationality).
NATIONALITY_LOSS_COUNTRIES = ("米国", "ブラジル", "英国")

"""統計 (assessment function 11): 異動集計表, 人口統計, the annual 住民基本台帳に基づく人口、人口動態
及び世帯数調査 and the population pyramid, computed from the register's history rows."""

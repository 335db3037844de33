/* demo_names.c -- static vocabulary for the deterministic demo data set (kam demo).
 *
 * All names are fictional. Any resemblance to real companies or persons is coincidental. */
#include "demo_names.h"

/* ---- company groups ---------------------------------------------------------------------- */

const struct demo_group demo_groups[] = {
    {"华东精密工业集团", "East China Precision Industrial Group", "electronics"},
    {"鑫源化工控股集团", "Xinyuan Chemical Holdings", "chemicals"},
    {"中科瑞丰汽车部件集团", "Zhongke Ruifeng Auto Parts Group", "automotive"},
    {"博远医药集团", "Boyuan Pharmaceutical Group", "pharma"},
    {"泰和食品集团", "Taihe Foods Group", "food"},
    {"云帆通信技术集团", "Yunfan Telecom Technology Group", "telecom"},
    {"锦程纺织实业集团", "Jincheng Textile Industrial Group", "textiles"},
    {"Northwind Logistics Group", "北风物流集团", "logistics"},
    {"Bluepeak Energy Holdings", "蓝峰能源控股", "energy"},
    {"Ironbridge Construction Group", "铁桥建设集团", "construction"},
    {"Redstone Machinery AG", "红石机械", "machinery"},
    {"Clearwater Medical Devices Inc.", "清泉医疗器械", "medical"},
    {"Harborview Packaging Ltd", "海景包装", "packaging"},
    {"Goldcrest Metals plc", "金冠金属", "metals"},
    {"Contoso Retail Holdings", "康拓零售控股", "retail"},
    {"恒昌國際控股（香港）有限公司", "Hang Cheong International Holdings (HK) Ltd", "retail"},
    {"臺灣晶茂半導體股份有限公司", "Chingmao Semiconductor Taiwan Corp.", "semiconductor"},
    {"港灣精機實業有限公司", "Harbour Precision Engineering Ltd", "machinery"},
};
const size_t demo_groups_n = sizeof demo_groups / sizeof demo_groups[0];

/* ---- Chinese company names --------------------------------------------------------------- */

const char *const demo_cn_stems[] = {
    "华东精密", "华南精工", "江南智造", "鑫源", "中科", "恒泰",   "瑞丰",     "博远",
    "天宇",     "金桥",     "永信",     "盛达", "华瑞", "宏远",   "志诚",     "德润",
    "鼎盛",     "新瑞",     "泰和",     "锦程", "润泽", "恒通",   "启明",     "弘毅",
    "嘉信",     "致远",     "明德",     "宇澄", "蓝海", "青峰",   "云帆",     "星辰",
    "瀚宇",     "凯普",     "睿达",     "科迈", "安泰", "福源",   "荣昌",     "众诚",
    "同创",     "东升",     "海纳",     "浩瀚", "长青", "昊天",   "金鼎",     "汇通",
    "诚泰",     "瑞祥",     "骏驰",     "远航", "鸿运", "联泰",   "腾跃",     "英泰",
    "迅捷",     "恒昌",     "新纪元",   "苏南", "浙北", "珠江",   "闽江",     "湘江",
    "渝北",     "川西",     "津门",     "燕山", "秦岭", "沪宁",   "甬江",     "皖江",
    "中原",     "东海",     "北部湾",   "滨海", "西部", "江北",   "华北精机", "西南智联",
    "深港",     "粤东",     "赣江",     "晋源", "徽州", "金陵",   "姑苏",     "钱塘",
    "京津",     "琴岛",     "瑞德",     "德馨", "康达", "信达通", "昌盛",     "裕丰",
    "隆泰",     "嘉诚",     "盈科达",   "天润", "华宸", "中邦",   "协力",     "宏图",
    "创新源",   "卓远",     "聚力",     "晟达", "拓新", "铭泰",   "奕晨",     "睿科",
};
const size_t demo_cn_stems_n = sizeof demo_cn_stems / sizeof demo_cn_stems[0];

const char *const demo_cn_suffixes[] = {
    "电子有限公司",     "电子科技股份有限公司",
    "化工股份有限公司", "新材料科技有限公司",
    "物流集团",         "供应链管理有限公司",
    "精密机械有限公司", "汽车零部件有限公司",
    "医药股份有限公司", "生物科技有限公司",
    "食品有限公司",     "能源科技有限公司",
    "电气股份有限公司", "建设工程有限公司",
    "建材有限公司",     "商贸有限公司",
    "国际贸易有限公司", "通信技术有限公司",
    "半导体有限公司",   "光电科技有限公司",
    "智能装备有限公司", "工业自动化有限公司",
    "包装材料有限公司", "金属制品有限公司",
    "塑胶制品有限公司", "仪器仪表有限公司",
    "环保科技有限公司", "纺织有限公司",
    "实业集团",         "控股集团",
};
const size_t demo_cn_suffixes_n = sizeof demo_cn_suffixes / sizeof demo_cn_suffixes[0];

/* ---- English company names --------------------------------------------------------------- */

const char *const demo_en_stems[] = {
    "Northwind",   "Bluepeak",    "Contoso",     "Fabrikam",     "Redstone",    "Ironbridge",
    "Greenfield",  "Clearwater",  "Brightwave",  "Oakridge",     "Stonegate",   "Westbrook",
    "Eastgate",    "Harborview",  "Silverpine",  "Goldcrest",    "Cedarline",   "Maplewood",
    "Riverton",    "Lakeshore",   "Falconer",    "Kestrel",      "Osprey",      "Pinecrest",
    "Ashford",     "Blackthorn",  "Copperleaf",  "Crestview",    "Deepwell",    "Driftwood",
    "Fairhaven",   "Foxglove",    "Glenmoor",    "Granitefield", "Hawthorne",   "Hollowbrook",
    "Ironwood",    "Larkspur",    "Lumenfield",  "Moonbay",      "Nordhaven",   "Oakhurst",
    "Palisade",    "Quarrystone", "Ravenwood",   "Redwater",     "Saltmarsh",   "Sandpiper",
    "Seabright",   "Shorewell",   "Skyhaven",    "Starling",     "Steelbrook",  "Sunvale",
    "Tallpine",    "Thornbury",   "Timberline",  "Valebrook",    "Westmere",    "Whitecliff",
    "Wildmere",    "Willowby",    "Windmere",    "Amberfield",   "Arclight",    "Aurorex",
    "Beaconridge", "Bellhaven",   "Birchwood",   "Boulderline",  "Brightwater", "Cobaltix",
    "Coralbay",    "Corvanta",    "Duskfield",   "Elmstead",     "Emberline",   "Fernhill",
    "Frostvale",   "Galebridge",  "Gildenmoor",  "Ivorygate",    "Jadeport",    "Kingsbridge",
    "Lindenhall",  "Lodestar",    "Nimbusfield", "Novaris",      "Orchardly",   "Quillon",
    "Rainford",    "Rosewell",    "Sablecrest",  "Tarnwell",     "Umberline",   "Wexmoor",
    "Yarrowfield", "Zephyrine",
};
const size_t demo_en_stems_n = sizeof demo_en_stems / sizeof demo_en_stems[0];

const char *const demo_en_suffixes[] = {
    "Logistics Ltd",
    "Electronics Inc.",
    "Chemicals GmbH",
    "Automotive Components Co., Ltd.",
    "Precision Machinery Ltd",
    "Pharmaceuticals plc",
    "Foods Pty Ltd",
    "Energy Systems Inc.",
    "Construction Group",
    "Retail Holdings Ltd",
    "Telecom Solutions Pte. Ltd.",
    "Semiconductor Corp.",
    "Industrial Supply LLC",
    "Advanced Materials AG",
    "Packaging Co.",
    "Medical Devices Inc.",
    "Trading (HK) Ltd",
    "Engineering S.A.",
    "Technologies B.V.",
    "Metals Ltd",
    "Automation K.K.",
    "Biotech S.r.l.",
    "Power Solutions Ltd",
    "Supply Chain Services LLC",
    "Instruments Oy",
    "Textiles Ltd",
    "Industries Sdn. Bhd.",
    "Holdings Group",
};
const size_t demo_en_suffixes_n = sizeof demo_en_suffixes / sizeof demo_en_suffixes[0];

/* ---- classification keys ----------------------------------------------------------------- */

const char *const demo_industries[] = {
    "electronics", "automotive",   "chemicals", "pharma",  "food",      "logistics",
    "energy",      "construction", "retail",    "telecom", "machinery", "semiconductor",
    "medical",     "packaging",    "textiles",  "metals",
};
const size_t demo_industries_n = sizeof demo_industries / sizeof demo_industries[0];

const char *const demo_regions[] = {
    "华东", "华南", "华北", "华中", "西南", "西北", "东北", "港澳台", "APAC", "EMEA", "Americas",
};
const size_t demo_regions_n = sizeof demo_regions / sizeof demo_regions[0];

const char *const demo_channels[] = {
    "direct", "distributor", "online", "oem", "project",
};
const size_t demo_channels_n = sizeof demo_channels / sizeof demo_channels[0];

/* ---- Chinese person names (roughly ordered by commonness) -------------------------------- */

const char *const demo_cn_surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐",   "孙",   "马",   "朱", "胡",
    "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许",   "韩",   "冯",   "邓", "曹",
    "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于",   "杜",   "叶",   "程", "魏",
    "苏", "吕", "丁", "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭",   "陆",   "范",   "汪", "廖",
    "石", "金", "韦", "贾", "夏", "付", "方", "邹", "熊", "白", "孟",   "秦",   "邱",   "侯", "江",
    "尹", "薛", "闫", "段", "雷", "龙", "黎", "史", "陶", "贺", "毛",   "郝",   "顾",   "龚", "邵",
    "万", "覃", "武", "钱", "戴", "严", "莫", "孔", "向", "常", "欧阳", "司马", "上官",
};
const size_t demo_cn_surnames_n = sizeof demo_cn_surnames / sizeof demo_cn_surnames[0];

const char *const demo_cn_surnames_py[] = {
    "wang",   "li",    "zhang",     "liu",   "chen",  "yang", "huang", "zhao", "wu",    "zhou",
    "xu",     "sun",   "ma",        "zhu",   "hu",    "guo",  "he",    "lin",  "gao",   "luo",
    "zheng",  "liang", "xie",       "song",  "tang",  "xu",   "han",   "feng", "deng",  "cao",
    "peng",   "zeng",  "xiao",      "tian",  "dong",  "pan",  "yuan",  "cai",  "jiang", "yu",
    "yu",     "du",    "ye",        "cheng", "wei",   "su",   "lv",    "ding", "ren",   "lu",
    "yao",    "shen",  "zhong",     "jiang", "cui",   "tan",  "lu",    "fan",  "wang",  "liao",
    "shi",    "jin",   "wei",       "jia",   "xia",   "fu",   "fang",  "zou",  "xiong", "bai",
    "meng",   "qin",   "qiu",       "hou",   "jiang", "yin",  "xue",   "yan",  "duan",  "lei",
    "long",   "li",    "shi",       "tao",   "he",    "mao",  "hao",   "gu",   "gong",  "shao",
    "wan",    "qin",   "wu",        "qian",  "dai",   "yan",  "mo",    "kong", "xiang", "chang",
    "ouyang", "sima",  "shangguan",
};

_Static_assert(sizeof demo_cn_surnames_py / sizeof demo_cn_surnames_py[0] ==
                   sizeof demo_cn_surnames / sizeof demo_cn_surnames[0],
               "demo_cn_surnames_py must have one entry per demo_cn_surnames entry");

const char *const demo_cn_given[] = {
    "伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",   "军",   "洋",   "勇",   "艳",
    "杰",   "娟",   "涛",   "明",   "超",   "秀英", "霞",   "平",   "刚",   "桂英", "建华", "建国",
    "志强", "文",   "斌",   "辉",   "鹏",   "华",   "红",   "玲",   "婷",   "雪",   "琳",   "晨",
    "宇",   "浩",   "俊",   "凯",   "健",   "波",   "帆",   "峰",   "博",   "欣",   "怡",   "颖",
    "佳",   "倩",   "蕾",   "萍",   "慧",   "梅",   "燕",   "晶",   "子涵", "梓萱", "浩然", "宇轩",
    "思远", "嘉怡", "欣怡", "雨桐", "一鸣", "天佑", "俊杰", "晓东", "晓燕", "晓明", "海涛", "海燕",
    "国强", "国华", "立新", "建军", "志伟", "志刚", "春梅", "秀兰", "丽华", "玉兰", "文静", "文斌",
    "雅琴", "慧敏", "婉婷", "诗涵", "梦琪", "子豪", "昊",   "睿",   "哲",   "楠",   "航",   "亮",
    "毅",   "鑫",   "瑶",   "琦",   "悦",   "璐",   "丹",   "阳",   "宁",   "振宇", "家豪", "子轩",
    "雨萱", "明轩", "浩宇", "俊峰", "红梅", "凤英", "建平", "永刚", "卫东", "少华", "德明", "晓峰",
    "佳琪", "若曦", "思琪", "嘉豪", "泽宇", "文涛", "美玲", "淑芬", "宏伟", "志明",
};
const size_t demo_cn_given_n = sizeof demo_cn_given / sizeof demo_cn_given[0];

const char *const demo_cn_given_py[] = {
    "wei",      "fang",     "na",       "min",      "jing",    "li",       "qiang",   "lei",
    "jun",      "yang",     "yong",     "yan",      "jie",     "juan",     "tao",     "ming",
    "chao",     "xiuying",  "xia",      "ping",     "gang",    "guiying",  "jianhua", "jianguo",
    "zhiqiang", "wen",      "bin",      "hui",      "peng",    "hua",      "hong",    "ling",
    "ting",     "xue",      "lin",      "chen",     "yu",      "hao",      "jun",     "kai",
    "jian",     "bo",       "fan",      "feng",     "bo",      "xin",      "yi",      "ying",
    "jia",      "qian",     "lei",      "ping",     "hui",     "mei",      "yan",     "jing",
    "zihan",    "zixuan",   "haoran",   "yuxuan",   "siyuan",  "jiayi",    "xinyi",   "yutong",
    "yiming",   "tianyou",  "junjie",   "xiaodong", "xiaoyan", "xiaoming", "haitao",  "haiyan",
    "guoqiang", "guohua",   "lixin",    "jianjun",  "zhiwei",  "zhigang",  "chunmei", "xiulan",
    "lihua",    "yulan",    "wenjing",  "wenbin",   "yaqin",   "huimin",   "wanting", "shihan",
    "mengqi",   "zihao",    "hao",      "rui",      "zhe",     "nan",      "hang",    "liang",
    "yi",       "xin",      "yao",      "qi",       "yue",     "lu",       "dan",     "yang",
    "ning",     "zhenyu",   "jiahao",   "zixuan",   "yuxuan",  "mingxuan", "haoyu",   "junfeng",
    "hongmei",  "fengying", "jianping", "yonggang", "weidong", "shaohua",  "deming",  "xiaofeng",
    "jiaqi",    "ruoxi",    "siqi",     "jiahao",   "zeyu",    "wentao",   "meiling", "shufen",
    "hongwei",  "zhiming",
};

_Static_assert(sizeof demo_cn_given_py / sizeof demo_cn_given_py[0] ==
                   sizeof demo_cn_given / sizeof demo_cn_given[0],
               "demo_cn_given_py must have one entry per demo_cn_given entry");

/* ---- English person names ---------------------------------------------------------------- */

const char *const demo_en_first[] = {
    "James",   "Mary",      "John",    "Patricia", "Robert",  "Jennifer",  "Michael", "Linda",
    "William", "Elizabeth", "David",   "Barbara",  "Richard", "Susan",     "Joseph",  "Jessica",
    "Thomas",  "Sarah",     "Charles", "Karen",    "Daniel",  "Nancy",     "Matthew", "Lisa",
    "Anthony", "Margaret",  "Mark",    "Sandra",   "Steven",  "Ashley",    "Paul",    "Emily",
    "Andrew",  "Michelle",  "Kevin",   "Laura",    "Brian",   "Rachel",    "George",  "Hannah",
    "Edward",  "Olivia",    "Peter",   "Sophie",   "Oliver",  "Charlotte", "Henry",   "Amelia",
    "Lucas",   "Emma",      "Ethan",   "Grace",    "Samuel",  "Chloe",     "Jack",    "Isabel",
    "Liam",    "Zoe",       "Noah",    "Natalie",  "Martin",  "Claire",    "Stefan",  "Anna",
    "Marco",   "Julia",     "Raj",     "Priya",    "Kenji",   "Yuki",      "Felix",   "Ingrid",
};
const size_t demo_en_first_n = sizeof demo_en_first / sizeof demo_en_first[0];

const char *const demo_en_last[] = {
    "Smith",      "Johnson",   "Williams", "Brown",    "Jones",   "Miller",  "Davis",    "Wilson",
    "Anderson",   "Taylor",    "Thomas",   "Moore",    "Martin",  "Jackson", "Thompson", "White",
    "Harris",     "Clark",     "Lewis",    "Robinson", "Walker",  "Young",   "Allen",    "King",
    "Wright",     "Scott",     "Green",    "Baker",    "Adams",   "Nelson",  "Hill",     "Campbell",
    "Mitchell",   "Roberts",   "Carter",   "Phillips", "Evans",   "Turner",  "Parker",   "Collins",
    "Edwards",    "Stewart",   "Morris",   "Murphy",   "Cook",    "Rogers",  "Morgan",   "Cooper",
    "Peterson",   "Reed",      "Bailey",   "Bell",     "Kelly",   "Howard",  "Ward",     "Cox",
    "Richardson", "Wood",      "Watson",   "Brooks",   "Bennett", "Gray",    "Hughes",   "Fischer",
    "Weber",      "Schneider", "Rossi",    "Dubois",   "Tanaka",  "Sato",    "Patel",    "Nakamura",
    "Lindqvist",  "Novak",
};
const size_t demo_en_last_n = sizeof demo_en_last / sizeof demo_en_last[0];

/* ---- job titles -------------------------------------------------------------------------- */

const struct demo_title demo_titles[] = {
    {"董事长", "Chairman", "decision_maker", "董事会", "Board of Directors"},
    {"总经理", "General Manager", "decision_maker", "总经办", "General Management"},
    {"副总经理", "Deputy General Manager", "decision_maker", "总经办", "General Management"},
    {"首席执行官", "Chief Executive Officer", "decision_maker", "总经办", "General Management"},
    {"总经理助理", "Assistant to the General Manager", "gatekeeper", "总经办",
     "General Management"},
    {"首席财务官", "Chief Financial Officer", "decision_maker", "财务部", "Finance"},
    {"财务总监", "Finance Director", "decision_maker", "财务部", "Finance"},
    {"财务经理", "Finance Manager", "influencer", "财务部", "Finance"},
    {"采购总监", "Purchasing Director", "decision_maker", "采购部", "Purchasing"},
    {"采购经理", "Purchasing Manager", "influencer", "采购部", "Purchasing"},
    {"战略采购经理", "Strategic Sourcing Manager", "champion", "采购部", "Purchasing"},
    {"品类经理", "Category Manager", "influencer", "采购部", "Purchasing"},
    {"采购工程师", "Buyer", "gatekeeper", "采购部", "Purchasing"},
    {"采购助理", "Purchasing Assistant", "gatekeeper", "采购部", "Purchasing"},
    {"首席技术官", "Chief Technology Officer", "decision_maker", "研发中心", "R&D"},
    {"研发总监", "R&D Director", "decision_maker", "研发中心", "R&D"},
    {"研发工程师", "R&D Engineer", "user", "研发中心", "R&D"},
    {"技术经理", "Technical Manager", "champion", "技术部", "Technical"},
    {"技术支持工程师", "Technical Support Engineer", "user", "技术部", "Technical"},
    {"工艺工程师", "Process Engineer", "user", "工程部", "Engineering"},
    {"工程经理", "Engineering Manager", "influencer", "工程部", "Engineering"},
    {"厂长", "Plant Manager", "decision_maker", "生产部", "Production"},
    {"生产经理", "Production Manager", "influencer", "生产部", "Production"},
    {"车间主任", "Workshop Supervisor", "user", "生产部", "Production"},
    {"质量经理", "Quality Manager", "influencer", "质量部", "Quality"},
    {"质量工程师", "Quality Engineer", "user", "质量部", "Quality"},
    {"供应链总监", "Supply Chain Director", "decision_maker", "供应链部", "Supply Chain"},
    {"物流经理", "Logistics Manager", "influencer", "物流部", "Logistics"},
    {"仓储主管", "Warehouse Supervisor", "user", "物流部", "Logistics"},
    {"设备经理", "Maintenance Manager", "influencer", "设备部", "Maintenance"},
    {"设备工程师", "Maintenance Engineer", "user", "设备部", "Maintenance"},
    {"项目总监", "Project Director", "decision_maker", "项目部", "Projects"},
    {"项目经理", "Project Manager", "champion", "项目部", "Projects"},
    {"运营总监", "Operations Director", "decision_maker", "运营部", "Operations"},
    {"信息化总监", "Chief Information Officer", "decision_maker", "信息技术部", "IT"},
    {"IT经理", "IT Manager", "influencer", "信息技术部", "IT"},
    {"EHS经理", "EHS Manager", "influencer", "安全环保部", "EHS"},
    {"法务经理", "Legal Counsel", "influencer", "法务部", "Legal"},
    {"市场总监", "Marketing Director", "influencer", "市场部", "Marketing"},
    {"产品经理", "Product Manager", "champion", "产品部", "Product Management"},
    {"销售总监", "Sales Director", "other", "销售部", "Sales"},
    {"人力资源经理", "HR Manager", "other", "人力资源部", "Human Resources"},
    {"行政助理", "Administrative Assistant", "gatekeeper", "行政部", "Administration"},
    {"前台", "Receptionist", "gatekeeper", "行政部", "Administration"},
    {"外部顾问", "External Consultant", "other", "顾问团队", "Advisory"},
};
const size_t demo_titles_n = sizeof demo_titles / sizeof demo_titles[0];

/* ---- generic fictional e-mail domains (reserved names only) ------------------------------ */

const char *const demo_email_domains[] = {
    "example.cn",    "example.com", "example.net",  "example.org",  "example.com.cn",
    "example.hk",    "example.tw",  "example.sg",   "example.de",   "example.co.uk",
    "example.jp",    "example.fr",  "mail.example", "corp.example", "biz.example",
    "sales.example", "kam.test",    "demo.test",    "mail.test",    "customer.test",
};
const size_t demo_email_domains_n = sizeof demo_email_domains / sizeof demo_email_domains[0];

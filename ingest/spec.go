package ingest

// The return workbook as the bureau specifies it (returns.md): its sheets,
// their columns or keys, and the kind of value each holds. The reader, the
// template writer and the generator all work from these tables.

// Kind is what a cell must hold.
type Kind int

const (
	Text    Kind = iota
	YesNo        // 是/否 and the other spellings of value.YesNo
	Int          // whole number ≥ 0
	Money        // decimal ≥ 0 in 万元, at most 4 decimals
	Decimal      // decimal > 0 (学时)
	Date         // a date cell or one of the text forms of value.Date
	Code         // a statistical division code
	Choice       // one of Column.Choices
	Period       // a quarter (报告期)
)

// Column is one column of a table sheet, or one key of a key-value sheet.
type Column struct {
	Field string // stable field name, used in code and tests
	// Header is the header (or key) as the contract writes it: the only
	// name a column answers to, after normalisation (see norm). There are no
	// aliases: a different header is a different statistic (参训人数 is not
	// 参训人次), so it is an unknown column.
	Header string
	Kind   Kind
	// Required: the column (or key) must be present; for table sheets it also
	// means every data row must fill it.
	Required bool
	Choices  []string
	Help     string // what the column wants (template comments), Chinese
	HelpEN   string
}

// Sheet is one sheet of the workbook.
type Sheet struct {
	Name     string // the only name it answers to, after normalisation (sheetNorm)
	Required bool
	KeyValue bool // key in column A, value in column B
	Columns  []Column
}

const (
	SheetInfo      = "基本信息"
	SheetStations  = "乡镇街道社工站"
	SheetRooms     = "村社区社工室"
	SheetFunds     = "资金投入"
	SheetTrainings = "培训"
	SheetWorkforce = "人才队伍"
	SheetProjects  = "服务项目"
)

var (
	OperationChoices = []string{"自主运营", "委托社会组织运营", "其他"}
	FundChoices      = []string{"政府购买服务", "社区慈善基金", "福利彩票公益金", "社会捐赠", "其他"}
	TrainingChoices  = []string{"继续教育", "督导培养", "新入职培训", "专题培训", "其他"}
	FieldChoices     = []string{"困境儿童", "老年人关爱", "残障人士", "精神障碍社区康复", "社区治理", "其他"}
)

// Fund categories the indicators read.
const (
	FundGov     = "政府购买服务"
	FundCharity = "社区慈善基金"
	FundDonated = "社会捐赠"
)

var InfoSheet = Sheet{Name: SheetInfo, Required: true, KeyValue: true, Columns: []Column{
	{Field: "district_name", Header: "填报单位", Kind: Text, Help: "区（县级市）名称，与区划代码一致", HelpEN: "district name, as in the registry"},
	{Field: "district_code", Header: "区划代码", Kind: Code, Required: true, Help: "6位区划代码", HelpEN: "6-digit district code"},
	{Field: "period", Header: "报告期", Kind: Period, Required: true, Help: "如 2026Q3 或 2026年第三季度", HelpEN: "e.g. 2026Q3"},
	{Field: "reporter", Header: "填报人", Kind: Text},
	{Field: "phone", Header: "联系电话", Kind: Text},
	{Field: "filled_on", Header: "填报日期", Kind: Text},
}}

var StationSheet = Sheet{Name: SheetStations, Required: true, Columns: []Column{
	{Field: "town_code", Header: "乡镇(街道)代码", Kind: Code, Required: true, Help: "9位乡镇（街道）代码", HelpEN: "9-digit town code"},
	{Field: "town_name", Header: "乡镇(街道)名称", Kind: Text, Help: "名称（核对用）", HelpEN: "name (for checking)"},
	{Field: "built", Header: "是否建成社工站", Kind: YesNo, Required: true, Help: "是/否", HelpEN: "yes/no"},
	{Field: "built_on", Header: "建成时间", Kind: Date, Help: "已建成时必填，如 2024-05-01；未建成留空", HelpEN: "required when built, e.g. 2024-05-01; empty when not built"},
	{Field: "standard", Header: "是否达到规范化标准", Kind: YesNo, Help: "已建成时填 是/否", HelpEN: "yes/no, when built"},
	{Field: "resident", Header: "驻站社工人数", Kind: Int, Help: "整数，≥0", HelpEN: "whole number ≥ 0"},
	{Field: "resident_cert", Header: "其中持证驻站社工", Kind: Int, Help: "整数，不大于驻站社工人数", HelpEN: "whole number ≤ resident workers"},
	{Field: "outreach", Header: "外派社工人数", Kind: Int, Help: "派驻村（社区）社工室的社工，整数 ≥0", HelpEN: "workers sent to village rooms, ≥ 0"},
	{Field: "outreach_cert", Header: "其中持证外派社工", Kind: Int, Help: "整数，不大于外派社工人数", HelpEN: "whole number ≤ outreach workers"},
	{Field: "operation", Header: "运营方式", Kind: Choice, Choices: OperationChoices, Help: "自主运营 / 委托社会组织运营 / 其他", HelpEN: "one of the listed"},
	{Field: "operator", Header: "运营机构", Kind: Text, Help: "委托运营时填机构名称", HelpEN: "operator's name"},
	{Field: "charity_fund", Header: "是否设立社区慈善基金", Kind: YesNo, Help: "是/否", HelpEN: "yes/no"},
}}

var RoomSheet = Sheet{Name: SheetRooms, Required: true, Columns: []Column{
	{Field: "village_code", Header: "村(社区)代码", Kind: Code, Required: true, Help: "12位村（社区）代码", HelpEN: "12-digit village code"},
	{Field: "village_name", Header: "村(社区)名称", Kind: Text, Help: "名称（核对用）", HelpEN: "name (for checking)"},
	{Field: "built", Header: "是否建成社工室", Kind: YesNo, Required: true, Help: "是/否", HelpEN: "yes/no"},
	{Field: "built_on", Header: "建成时间", Kind: Date, Help: "已建成时必填；未建成留空", HelpEN: "required when built; empty when not"},
	{Field: "charity_fund", Header: "是否设立社区慈善基金", Kind: YesNo, Help: "是/否", HelpEN: "yes/no"},
}}

var FundSheet = Sheet{Name: SheetFunds, Required: true, Columns: []Column{
	{Field: "unit_code", Header: "单位代码", Kind: Code, Help: "区、乡镇（街道）或村（社区）代码", HelpEN: "code of the district, a town or a village"},
	{Field: "category", Header: "资金类别", Kind: Choice, Required: true, Choices: FundChoices, Help: "政府购买服务 / 社区慈善基金 / 福利彩票公益金 / 社会捐赠 / 其他", HelpEN: "one of the listed"},
	{Field: "amount", Header: "金额(万元)", Kind: Money, Required: true, Help: "本季度到位金额，单位万元，最多4位小数", HelpEN: "amount received this quarter, in 10,000 yuan, ≤ 4 decimals"},
	{Field: "note", Header: "备注", Kind: Text},
}}

var TrainingSheet = Sheet{Name: SheetTrainings, Required: true, Columns: []Column{
	{Field: "name", Header: "培训名称", Kind: Text, Required: true, Help: "必填", HelpEN: "required"},
	{Field: "start_on", Header: "开始日期", Kind: Date, Help: "应在本季度内", HelpEN: "within the quarter"},
	{Field: "hours", Header: "学时", Kind: Decimal, Required: true, Help: "每人学时，>0", HelpEN: "hours per participant, > 0"},
	{Field: "participants", Header: "参训人次", Kind: Int, Required: true, Help: "整数，>0", HelpEN: "whole number > 0"},
	{Field: "category", Header: "培训类别", Kind: Choice, Choices: TrainingChoices, Help: "继续教育 / 督导培养 / 新入职培训 / 专题培训 / 其他", HelpEN: "one of the listed"},
	{Field: "cost", Header: "经费(万元)", Kind: Money, Help: "万元，可空", HelpEN: "10,000 yuan, optional"},
}}

var WorkforceSheet = Sheet{Name: SheetWorkforce, Required: true, KeyValue: true, Columns: []Column{
	{Field: "certified_total", Header: "持证社工总数", Kind: Int, Required: true, Help: "全区持证社工，不限于站点", HelpEN: "every certified worker in the district"},
	{Field: "assistant", Header: "其中助理社会工作师", Kind: Int, Required: true},
	{Field: "intermediate", Header: "其中社会工作师", Kind: Int, Required: true},
	{Field: "senior", Header: "其中高级社会工作师", Kind: Int, Required: true},
	{Field: "organisations", Header: "社会工作服务机构数", Kind: Int, Required: true},
	{Field: "org_staff", Header: "机构全职员工数", Kind: Int, Required: true},
	{Field: "supervisors", Header: "本土督导人数", Kind: Int, Required: true},
}}

var ProjectSheet = Sheet{Name: SheetProjects, Columns: []Column{
	{Field: "name", Header: "项目名称", Kind: Text, Required: true, Help: "必填", HelpEN: "required"},
	{Field: "town_code", Header: "乡镇(街道)代码", Kind: Code, Help: "9位代码", HelpEN: "9-digit town code"},
	{Field: "field", Header: "服务领域", Kind: Choice, Choices: FieldChoices, Help: "困境儿童 / 老年人关爱 / 残障人士 / 精神障碍社区康复 / 社区治理 / 其他", HelpEN: "one of the listed"},
	{Field: "served", Header: "服务人次", Kind: Int, Help: "整数 ≥0", HelpEN: "whole number ≥ 0"},
	{Field: "demonstration", Header: "是否示范项目", Kind: YesNo, Help: "是/否", HelpEN: "yes/no"},
}}

// Sheets is the workbook, in the order the template writes it.
var Sheets = []*Sheet{&InfoSheet, &StationSheet, &RoomSheet, &FundSheet, &TrainingSheet, &WorkforceSheet, &ProjectSheet}

// Col finds a column of s by field name (nil if none).
func (s *Sheet) Col(field string) *Column {
	for i := range s.Columns {
		if s.Columns[i].Field == field {
			return &s.Columns[i]
		}
	}
	return nil
}

"""What the demo city prepared before anything happened: its plans (预案) for the common kinds
of incident, and its shelters, supplies and teams across the grids. Plain data, written by
`emergency.seeding`."""

from __future__ import annotations

from dataclasses import dataclass, field

from emergency.models import IncidentKind, StepLimitUnit, SupplyKind, SupplyState, TeamKind
from governance.models import Role

M, H, WD = StepLimitUnit.MINUTES, StepLimitUnit.HOURS, StepLimitUnit.WORKING_DAYS


@dataclass(frozen=True)
class Step:
    title: str
    title_en: str
    owner: str  # a department code from seeds/departments.json, or a role
    limit: int
    unit: str = M
    feedback: str = ""


@dataclass(frozen=True)
class PlanSpec:
    name: str
    name_en: str
    kind: str
    command_group: str
    termination: str
    teams: list[tuple[str, str]]  # (department code or role, duty)
    steps: list[Step]
    min_level: int = 1
    max_level: int = 4


PLANS: list[PlanSpec] = [
    PlanSpec(
        name="青湖区防汛防台应急预案",
        name_en="Qinghu flood, rainstorm and typhoon response plan",
        kind=IncidentKind.FLOOD,
        command_group="区防汛指挥部：总指挥 分管副区长；副总指挥 水务局局长、城市管理局局长",
        termination="降雨停止，积水全部排除，转移群众已安全返回。",
        teams=[
            ("water", "排涝泵站运行、移动泵车调度"),
            ("city-management", "道路警戒、交通疏导"),
            ("civil-affairs", "避难场所开放、群众安置与物资发放"),
            (Role.LEAD_OFFICER, "组织本社区巡查和人员转移"),
        ],
        steps=[
            Step(
                "网格员巡查低洼易涝点并上报积水情况",
                "Grid officers patrol the low-lying spots and report the waterlogging",
                Role.OFFICER,
                30,
                M,
                "积水点位置、深度，有无被困人员",
            ),
            Step(
                "启动排涝泵站，调派移动泵车",
                "Start the pumping stations and send the mobile pumps",
                "water",
                1,
                H,
                "开启泵站数量、泵车到达位置",
            ),
            Step(
                "设置警戒，封闭积水路段",
                "Cordon off and close the flooded roads",
                "city-management",
                45,
                M,
                "封闭路段名称",
            ),
            Step(
                "组织转移地下室和危旧房住户",
                "Move the residents of basements and old houses to safety",
                Role.LEAD_OFFICER,
                2,
                H,
                "转移人数、安置去向",
            ),
            Step(
                "开放避难场所并发放物资",
                "Open the shelters and hand out supplies",
                "civil-affairs",
                3,
                H,
                "开放场所、安置人数、发放物资",
            ),
            Step(
                "汇总灾情报区防汛指挥部",
                "Report the damage to the district flood command",
                Role.LEADER,
                6,
                H,
                "受灾户数、损失情况",
            ),
        ],
    ),
    PlanSpec(
        name="青湖区火灾事故应急预案",
        name_en="Qinghu fire response plan",
        kind=IncidentKind.FIRE,
        command_group="现场指挥部：街道主任任指挥长，消防救援站站长任副指挥长",
        termination="明火扑灭，无复燃可能，受灾群众全部安置。",
        teams=[
            ("city-management", "交通疏导、消防通道保障"),
            ("housing", "建筑结构安全排查"),
            ("civil-affairs", "受灾群众安置"),
            (Role.OFFICER, "核实火情、疏散周边群众"),
        ],
        steps=[
            Step(
                "核实火情，报119并疏散周边群众",
                "Confirm the fire, call 119 and evacuate the neighbours",
                Role.OFFICER,
                10,
                M,
                "起火位置、疏散人数",
            ),
            Step(
                "清点楼栋人员",
                "Count the residents of the building",
                Role.LEAD_OFFICER,
                30,
                M,
                "应到、实到、失联人数",
            ),
            Step(
                "疏导交通，保障消防通道畅通",
                "Direct the traffic and keep the fire lanes open",
                "city-management",
                30,
                M,
            ),
            Step(
                "排查受损建筑结构安全",
                "Check the damaged building's structure",
                "housing",
                4,
                H,
                "结构是否安全、能否回迁",
            ),
            Step(
                "安置受灾群众",
                "House the people affected",
                "civil-affairs",
                6,
                H,
                "安置人数和地点",
            ),
        ],
    ),
    PlanSpec(
        name="青湖区燃气泄漏事故应急预案",
        name_en="Qinghu gas leak response plan",
        kind=IncidentKind.GAS,
        command_group="现场指挥部：住房和城乡建设局分管副局长任指挥长",
        termination="漏点修复，燃气浓度检测正常，警戒解除。",
        teams=[
            ("housing", "通知燃气公司关阀抢修、管线复查"),
            ("city-management", "警戒区设置"),
            (Role.LEAD_OFFICER, "逐户检测、人员清点"),
        ],
        steps=[
            Step(
                "疏散人员，严禁明火和开关电器",
                "Evacuate; no open flames, no switching of appliances",
                Role.OFFICER,
                10,
                M,
                "疏散范围和人数",
            ),
            Step(
                "通知燃气公司关阀抢修",
                "Have the gas company shut the valve and repair the leak",
                "housing",
                30,
                M,
                "关阀时间、抢修进展",
            ),
            Step("设置警戒区", "Set up the cordon", "city-management", 20, M),
            Step(
                "逐户检测燃气浓度",
                "Measure the gas level door to door",
                Role.LEAD_OFFICER,
                2,
                H,
                "检测户数、异常户数",
            ),
            Step(
                "复查管线后解除警戒",
                "Re-inspect the pipes, then lift the cordon",
                "housing",
                1,
                WD,
            ),
        ],
    ),
    PlanSpec(
        name="青湖区突发公共卫生事件应急预案",
        name_en="Qinghu public health emergency plan",
        kind=IncidentKind.PUBLIC_HEALTH,
        min_level=1,
        max_level=3,
        command_group="区卫生应急领导小组：组长 分管副区长",
        termination="连续14天无新增病例，经评估解除响应。",
        teams=[
            ("service-center", "健康提示发布、居民咨询"),
            ("environment", "环境消杀"),
            ("civil-affairs", "隔离人员生活保障"),
            (Role.OFFICER, "排查登记、健康监测"),
        ],
        steps=[
            Step(
                "排查登记密切接触者",
                "Trace and register the close contacts",
                Role.OFFICER,
                2,
                H,
                "登记人数",
            ),
            Step(
                "发布健康提示",
                "Publish the health advice",
                "service-center",
                4,
                H,
            ),
            Step(
                "开展公共场所环境消杀",
                "Disinfect the public spaces",
                "environment",
                12,
                H,
                "消杀场所和面积",
            ),
            Step(
                "保障隔离人员生活物资",
                "Supply the people in isolation",
                "civil-affairs",
                24,
                H,
            ),
            Step(
                "每日上报健康监测情况",
                "Report the health monitoring daily",
                Role.LEADER,
                1,
                WD,
            ),
        ],
    ),
    PlanSpec(
        name="青湖区地震及地质灾害应急预案",
        name_en="Qinghu earthquake and geological hazard plan",
        kind=IncidentKind.EARTHQUAKE,
        command_group="区抗震救灾指挥部：总指挥 区长",
        termination="余震趋于平稳，受损房屋排查完毕，群众妥善安置。",
        teams=[
            ("civil-affairs", "避难场所开放、群众安置"),
            ("housing", "房屋和桥梁安全排查"),
            ("water", "供水管网检查"),
            (Role.LEADER, "灾情汇总上报"),
        ],
        steps=[
            Step(
                "组织群众就近避险并上报伤亡",
                "Lead people to open ground and report casualties",
                Role.OFFICER,
                15,
                M,
                "伤亡、被困人数",
            ),
            Step("开放避难场所", "Open the shelters", "civil-affairs", 1, H, "开放场所"),
            Step(
                "排查房屋和桥梁安全",
                "Inspect the houses and bridges",
                "housing",
                6,
                H,
                "危房数量",
            ),
            Step("检查供水管网", "Check the water mains", "water", 4, H),
            Step("汇总灾情上报", "Report the damage", Role.LEADER, 2, H),
        ],
    ),
]


@dataclass(frozen=True)
class Placed:
    """A resource in a grid (by code); its point is the grid's centre, nudged by (dx, dy)
    hundredths of the grid's size, and routed to the grid by the model's `place()`."""

    grid: str
    values: dict = field(default_factory=dict)
    dx: int = 0
    dy: int = 0


HUBIN = "339901001001"
XIXI = "339901002001"

SHELTERS = [
    Placed(
        f"{HUBIN}001",
        dict(
            name="湖滨小学避难场所",
            address="湖滨路18号",
            capacity=600,
            occupancy=86,
            contact_name="周老师",
            contact_phone="13700000201",
            open=True,
        ),
    ),
    Placed(
        f"{XIXI}002",
        dict(
            name="西溪体育馆",
            address="西溪路260号",
            capacity=1200,
            occupancy=142,
            contact_name="刘馆长",
            contact_phone="13700000202",
            open=True,
        ),
        dx=-10,
    ),
    Placed(
        "339901003001004",
        dict(
            name="翠苑中学避难场所",
            address="翠苑街5号",
            capacity=800,
            contact_name="马老师",
            contact_phone="13700000203",
        ),
    ),
    Placed(
        "339901004001003",
        dict(
            name="明珠公园应急避难场所",
            address="明珠大道100号",
            capacity=2000,
            contact_name="钟主任",
            contact_phone="13700000204",
        ),
        dy=15,
    ),
]

SUPPLIES = [
    Placed(
        f"{HUBIN}003",
        dict(
            kind=SupplyKind.FLOOD,
            name="防汛沙袋",
            quantity=2000,
            unit="袋",
            custodian="湖滨社区",
            custodian_phone="13700000211",
            storage_place="社区防汛仓库",
            state=SupplyState.IN_USE,
        ),
    ),
    Placed(
        f"{XIXI}001",
        dict(
            kind=SupplyKind.FLOOD,
            name="移动排水泵",
            quantity=6,
            unit="台",
            custodian="水务局排水所",
            custodian_phone="13700000212",
            storage_place="西溪泵站",
            state=SupplyState.IN_USE,
        ),
    ),
    Placed(
        "339901001002002",
        dict(
            kind=SupplyKind.POWER,
            name="应急发电机",
            quantity=4,
            unit="台",
            custodian="东坡社区",
            storage_place="社区服务中心车库",
        ),
    ),
    Placed(
        "339901004001002",
        dict(
            kind=SupplyKind.BEDDING,
            name="救灾帐篷",
            quantity=40,
            unit="顶",
            custodian="区民政局",
            custodian_phone="13700000213",
            storage_place="区救灾物资储备库",
        ),
    ),
    Placed(
        "339901003001001",
        dict(
            kind=SupplyKind.WATER_FOOD,
            name="瓶装饮用水",
            quantity=300,
            unit="箱",
            custodian="区民政局",
            storage_place="翠苑物资点",
        ),
    ),
    Placed(
        "339901003002003",
        dict(
            kind=SupplyKind.MEDICAL,
            name="急救包",
            quantity=120,
            unit="个",
            custodian="古荡社区卫生服务站",
            storage_place="卫生服务站",
        ),
    ),
    Placed(
        f"{XIXI}003",
        dict(
            kind=SupplyKind.RESCUE,
            name="救生衣",
            quantity=80,
            unit="件",
            custodian="西溪社区",
            storage_place="社区防汛仓库",
        ),
    ),
]

TEAMS = [
    Placed(
        f"{HUBIN}002",
        dict(
            name="湖滨街道应急救援队",
            kind=TeamKind.RESCUE,
            leader_name="孙队长",
            leader_phone="13700000221",
            members=24,
        ),
    ),
    Placed(
        f"{XIXI}004",
        dict(
            name="西溪社区志愿者服务队",
            kind=TeamKind.VOLUNTEER,
            leader_name="吴队长",
            leader_phone="13700000222",
            members=40,
        ),
    ),
    Placed(
        "339901003001002",
        dict(
            name="翠苑消防救援站",
            kind=TeamKind.FIREFIGHTING,
            leader_name="高站长",
            leader_phone="13700000223",
            members=18,
        ),
    ),
    Placed(
        "339901004002001",
        dict(
            name="水务抢修队",
            kind=TeamKind.REPAIR,
            leader_name="许队长",
            leader_phone="13700000224",
            members=12,
        ),
    ),
]

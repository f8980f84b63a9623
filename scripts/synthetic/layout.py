"""The survey the synthetic export pretends to come from: pages, questions, variables, names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The seed of the committed files; the CLI's default.
DEFAULT_SEED = 20220430
# The smallest export generate() accepts.
MIN_RESPONDENTS = 100
# What the export says about itself (codebook head, file names).
PROJECT_ID = 900001
TITLE = "SYNTHETIC export — ML-enabled systems survey (not real data)"
SURVEY_URL = "https://ww2.unipark.de/uc/synthetic-ml-systems-survey/"
EXPORT_DATE = "2022-04-30 18:00:00"
DATA_NAME = "SYNTHETIC_data_project_900001_2022_04_30.csv"
CODEBOOK_NAME = "SYNTHETIC_codebook_project_900001_2022_04_30.csv"
CODING_NAME = "SYNTHETIC_coding_sheet.csv"

# --------------------------------------------------------------------------- survey layout


@dataclass(frozen=True)
class Var:
    name: str
    dtype: str
    label: str
    values: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Question:
    text: str
    qid: int
    qtype: int
    variables: tuple[Var, ...]


@dataclass(frozen=True)
class Page:
    title: str
    pgid: int
    questions: tuple[Question, ...] = ()


COUNTRIES = (
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China",
    "Colombia", "Côte d'Ivoire", "Czech Republic", "Denmark", "Ecuador", "Egypt", "Finland",
    "France", "Germany", "Greece", "Hungary", "India", "Ireland", "Israel", "Italy", "Japan",
    "Mexico", "Netherlands", "Nigeria", "Norway", "Pakistan", "Peru", "Poland", "Portugal",
    "Romania", "Singapore", "Spain", "Sweden", "Switzerland", "Turkey", "United Kingdom",
    "United States", "Uruguay",
)  # fmt: skip
COMPANY_SIZES = (
    "Fewer than 10 employees",
    "10 to 49 employees",
    "50 to 249 employees",
    "250 to 499 employees",
    "500 to 1999 employees",
    "2000 or more employees",
)
ROLES = (
    "Data Scientist",
    "Project Leader / Project Manager",
    "Developer",
    "Solution Architect",
    "Requirements Engineer",
    "Business Analyst",
    "Researcher",
    "Test Engineer",
    "Other",
)
EXPERIENCE = (
    "Less than 1 year",
    "1 to 2 years",
    "3 to 6 years",
    "7 to 10 years",
    "More than 10 years",
)
RELEVANCE = (
    "Not relevant",
    "Slightly relevant",
    "Moderately relevant",
    "Highly relevant",
    "Extremely relevant",
)
DIFFICULTY = ("Very easy", "Easy", "Neither easy nor difficult", "Difficult", "Very difficult")

_QUOTED = ((0, "not quoted"), (1, "quoted"))


def _levels(labels: Sequence[str]) -> tuple[tuple[int, str], ...]:
    return tuple((i + 1, label) for i, label in enumerate(labels))


def _mc(name: str, label: str) -> Var:
    return Var(name, "int", label, _QUOTED)


SYSTEM_PGID = 7310101
END_PGID = 7310103  # the survey's final page: lastpage of completed interviews, not listed

PAGES: tuple[Page, ...] = (
    Page("System", SYSTEM_PGID),
    Page("Welcome and consent", 7310104),
    Page(
        "Background",
        7310105,
        (
            Question(
                "In which country are you personally located?",
                5120011,
                131,
                (Var("v_10", "int", "Country", _levels(COUNTRIES)),),
            ),
            Question(
                "What is the size of your company (number of employees)?",
                5120012,
                111,
                (Var("v_11", "int", "Company size", _levels(COMPANY_SIZES)),),
            ),
            Question(
                "Which academic degrees do you hold?",
                5120013,
                121,
                (
                    _mc("v_12", "Bachelor's degree"),
                    _mc("v_13", "Master's degree"),
                    _mc("v_14", "Ph.D."),
                ),
            ),
        ),
    ),
    Page(
        "Role and experience",
        7310106,
        (
            Question(
                "What is your main role in ML-enabled system projects?",
                5120021,
                111,
                (Var("v_20", "int", "Role", _levels(ROLES)),),
            ),
            Question(
                "How many years of experience do you have with ML-enabled system projects?",
                5120022,
                111,
                (Var("v_23", "int", "ML experience", _levels(EXPERIENCE)),),
            ),
        ),
    ),
    Page(
        "Projects",
        7310107,
        (
            Question(
                "How many ML-enabled system projects have you participated in? "
                "Please, provide your best estimate:",
                5120031,
                141,
                (Var("v_30", "varchar", "ML projects participated"),),
            ),
            Question(
                "Of all the ML-enabled system projects you have participated in, how many were "
                "actually deployed into a production environment (e.g., released to the final "
                "customer)? Please, provide your best estimate:",
                5120032,
                141,
                (Var("v_31", "varchar", "ML projects deployed"),),
            ),
        ),
    ),
    Page(
        "ML life cycle",
        7310108,
        (
            Question(
                "How relevant do you consider each of the following ML life cycle phases?",
                5120041,
                341,
                (
                    Var("v_40", "int", "Model Deployment", _levels(RELEVANCE)),
                    Var("v_41", "int", "Model Monitoring", _levels(RELEVANCE)),
                ),
            ),
            Question(
                "How difficult do you consider each of the following ML life cycle phases?",
                5120042,
                341,
                (
                    Var("v_42", "int", "Model Deployment", _levels(DIFFICULTY)),
                    Var("v_43", "int", "Model Monitoring", _levels(DIFFICULTY)),
                ),
            ),
        ),
    ),
    Page(
        "Life cycle problems",
        7310109,
        (
            Question(
                "According to your personal experience, please outline the main problems or "
                "difficulties (up to three) faced during the Model Deployment ML life cycle "
                "stage.",
                5120051,
                142,
                (Var("v_50", "blob", "Problems Model Deployment"),),
            ),
            Question(
                "According to your personal experience, please outline the main problems or "
                "difficulties (up to three) faced during the Model Monitoring ML life cycle "
                "stage.",
                5120052,
                142,
                (Var("v_51", "blob", "Problems Model Monitoring"),),
            ),
        ),
    ),
    Page(
        "Deployment",
        7310110,
        (
            Question(
                "In the context of the ML-enabled system projects you participated in, which "
                "approach is typically used to deploy ML models?",
                5120061,
                121,
                (
                    _mc("v_60", "Service"),
                    _mc("v_61", "Embedded model"),
                    _mc("v_62", "PaaS"),
                    _mc("v_63", "Others"),
                    Var("v_64", "varchar", "Others (please specify)"),
                ),
            ),
            Question(
                "Do you/your organization follow the practice and principles of ML-Ops in "
                "ML-enabled system projects? For instance, do you have an automated pipeline "
                "to re-train and deploy your ML models?",
                5120071,
                111,
                (Var("v_70", "int", "MLOps", ((1, "Yes"), (2, "No"))),),
            ),
            Question(
                "Please describe your MLOps approach.",
                5120072,
                142,
                (Var("v_71", "blob", "MLOps approach"),),
            ),
        ),
    ),
    Page(
        "Monitoring",
        7310111,
        (
            Question(
                "Based on your experience, what percentage of the ML-enabled system projects "
                "that get deployed into production have their ML models actually being "
                "monitored?",
                5120081,
                141,
                (Var("v_80", "varchar", "Share of deployed projects monitored"),),
            ),
            Question(
                "Which of the following ML model aspects are monitored for the deployed "
                "ML-enabled system projects you have worked on?",
                5120091,
                121,
                (
                    _mc("v_90", "Input and output"),
                    _mc("v_91", "Output and decisions"),
                    _mc("v_92", "Interpretability output"),
                    _mc("v_93", "Fairness"),
                    _mc("v_94", "Others"),
                    Var("v_95", "varchar", "Others (please specify)"),
                ),
            ),
        ),
    ),
    Page(
        "Conclusion",
        7310112,
        (
            Question(
                "In case you would like to be notified about the results, please fill in "
                "your email-address.",
                5120099,
                141,
                (Var("v_99", "varchar (with type check: E-mail address)", "Email"),),
            ),
        ),
    ),
)

VARIABLES: tuple[str, ...] = tuple(
    v.name for page in PAGES for q in page.questions for v in q.variables
)
TEXT_VARS = frozenset(
    v.name for page in PAGES for q in page.questions for v in q.variables if v.dtype != "int"
)
VAR_PAGE = {v.name: i for i, page in enumerate(PAGES) for q in page.questions for v in q.variables}
META_COLUMNS = (
    "browser",
    "referer",
    "device_type",
    "participant_browser",
    "participant_os",
    "session_id",
    "language",
    "datetime",
    "date_of_last_access",
)
HEAD_COLUMNS = ("lfdn", "external_lfdn", "tester", "dispcode", "lastpage", "quality", "duration")

# The Q4 variable that holds each phase's open answers (keys: the phases of targets.yaml codes).
Q4_VARIABLE = {"deployment": "v_50", "monitoring": "v_51"}

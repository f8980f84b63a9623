"""SYNTHETIC export of the ML-enabled systems survey, in the EFS/Unipark "codes" shape.

The paper's raw data is not public, so the workflow ships a synthetic stand-in: a data
file, its codebook and a coding sheet of the open answers, all generated here from one
seed. With the default size (276 interviews, 188 completed) the files are calibrated so
that the pipeline's cleaning gives exactly the paper's valid-answer N and counts (the
counts of the "calibration" section, checked against the raw text by tests/test_synthetic.py);
with another size the same proportions are scaled (no exact calibration).

Calibration works on *clean target values*: every count is fixed first (largest-remainder
allocation, then shuffled), free-text answers are then rendered as the messy text real
respondents type ("about 10", "3-5", "a dozen", "35 %") whose parse gives back exactly
that value, under the cleaning rules of the pipeline (open bounds take the bound, ranges
the midpoint, number words their value). The mean D8/D7 ratio is brought to 45.41% by a
coarse batch adjustment inside the bins followed by an exhaustive search on one or two
pairs.

Everything comes from ``numpy.random.default_rng(seed)`` in a fixed order and nothing
depends on the clock, so the same arguments give the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_SEED = 20220430
BASE_RESPONDENTS = 276
BASE_COMPLETED = 188
MIN_RESPONDENTS = 100
PROJECT_ID = 900001
TITLE = "SYNTHETIC export — ML-enabled systems survey (not real data)"
SURVEY_URL = "https://ww2.unipark.de/uc/synthetic-ml-systems-survey/"
EXPORT_DATE = "2022-04-30 18:00:00"
DATA_NAME = "SYNTHETIC_data_project_900001_2022_04_30.csv"
CODEBOOK_NAME = "SYNTHETIC_codebook_project_900001_2022_04_30.csv"
CODING_NAME = "SYNTHETIC_coding_sheet.csv"

# Ratio and percentage bins: [0,20) [20,40) [40,60) [60,80) [80,100].
BIN_EDGES = (0, 20, 40, 60, 80, 100)
TARGET_MEAN_RATIO = 45.41


@dataclass(frozen=True)
class SyntheticExport:
    """The generated files: exact text of each (CRLF where the survey tool writes CRLF)."""

    data_name: str
    data_text: str
    codebook_name: str
    codebook_text: str
    coding_name: str
    coding_text: str
    seed: int
    respondents: int


# --------------------------------------------------------------------------- survey layout


@dataclass(frozen=True)
class _Var:
    name: str
    dtype: str
    label: str
    values: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class _Question:
    text: str
    qid: int
    qtype: int
    variables: tuple[_Var, ...]


@dataclass(frozen=True)
class _Page:
    title: str
    pgid: int
    questions: tuple[_Question, ...] = ()


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


def _mc(name: str, label: str) -> _Var:
    return _Var(name, "int", label, _QUOTED)


SYSTEM_PGID = 7310101
END_PGID = 7310103  # the survey's final page: lastpage of completed interviews, not listed

PAGES: tuple[_Page, ...] = (
    _Page("System", SYSTEM_PGID),
    _Page("Welcome and consent", 7310104),
    _Page(
        "Background",
        7310105,
        (
            _Question(
                "In which country are you personally located?",
                5120011,
                131,
                (_Var("v_10", "int", "Country", _levels(COUNTRIES)),),
            ),
            _Question(
                "What is the size of your company (number of employees)?",
                5120012,
                111,
                (_Var("v_11", "int", "Company size", _levels(COMPANY_SIZES)),),
            ),
            _Question(
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
    _Page(
        "Role and experience",
        7310106,
        (
            _Question(
                "What is your main role in ML-enabled system projects?",
                5120021,
                111,
                (_Var("v_20", "int", "Role", _levels(ROLES)),),
            ),
            _Question(
                "How many years of experience do you have with ML-enabled system projects?",
                5120022,
                111,
                (_Var("v_23", "int", "ML experience", _levels(EXPERIENCE)),),
            ),
        ),
    ),
    _Page(
        "Projects",
        7310107,
        (
            _Question(
                "How many ML-enabled system projects have you participated in? "
                "Please, provide your best estimate:",
                5120031,
                141,
                (_Var("v_30", "varchar", "ML projects participated"),),
            ),
            _Question(
                "Of all the ML-enabled system projects you have participated in, how many were "
                "actually deployed into a production environment (e.g., released to the final "
                "customer)? Please, provide your best estimate:",
                5120032,
                141,
                (_Var("v_31", "varchar", "ML projects deployed"),),
            ),
        ),
    ),
    _Page(
        "ML life cycle",
        7310108,
        (
            _Question(
                "How relevant do you consider each of the following ML life cycle phases?",
                5120041,
                341,
                (
                    _Var("v_40", "int", "Model Deployment", _levels(RELEVANCE)),
                    _Var("v_41", "int", "Model Monitoring", _levels(RELEVANCE)),
                ),
            ),
            _Question(
                "How difficult do you consider each of the following ML life cycle phases?",
                5120042,
                341,
                (
                    _Var("v_42", "int", "Model Deployment", _levels(DIFFICULTY)),
                    _Var("v_43", "int", "Model Monitoring", _levels(DIFFICULTY)),
                ),
            ),
        ),
    ),
    _Page(
        "Life cycle problems",
        7310109,
        (
            _Question(
                "According to your personal experience, please outline the main problems or "
                "difficulties (up to three) faced during the Model Deployment ML life cycle "
                "stage.",
                5120051,
                142,
                (_Var("v_50", "blob", "Problems Model Deployment"),),
            ),
            _Question(
                "According to your personal experience, please outline the main problems or "
                "difficulties (up to three) faced during the Model Monitoring ML life cycle "
                "stage.",
                5120052,
                142,
                (_Var("v_51", "blob", "Problems Model Monitoring"),),
            ),
        ),
    ),
    _Page(
        "Deployment",
        7310110,
        (
            _Question(
                "In the context of the ML-enabled system projects you participated in, which "
                "approach is typically used to deploy ML models?",
                5120061,
                121,
                (
                    _mc("v_60", "Service"),
                    _mc("v_61", "Embedded model"),
                    _mc("v_62", "PaaS"),
                    _mc("v_63", "Others"),
                    _Var("v_64", "varchar", "Others (please specify)"),
                ),
            ),
            _Question(
                "Do you/your organization follow the practice and principles of ML-Ops in "
                "ML-enabled system projects? For instance, do you have an automated pipeline "
                "to re-train and deploy your ML models?",
                5120071,
                111,
                (_Var("v_70", "int", "MLOps", ((1, "Yes"), (2, "No"))),),
            ),
            _Question(
                "Please describe your MLOps approach.",
                5120072,
                142,
                (_Var("v_71", "blob", "MLOps approach"),),
            ),
        ),
    ),
    _Page(
        "Monitoring",
        7310111,
        (
            _Question(
                "Based on your experience, what percentage of the ML-enabled system projects "
                "that get deployed into production have their ML models actually being "
                "monitored?",
                5120081,
                141,
                (_Var("v_80", "varchar", "Share of deployed projects monitored"),),
            ),
            _Question(
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
                    _Var("v_95", "varchar", "Others (please specify)"),
                ),
            ),
        ),
    ),
    _Page(
        "Conclusion",
        7310112,
        (
            _Question(
                "In case you would like to be notified about the results, please fill in "
                "your email-address.",
                5120099,
                141,
                (_Var("v_99", "varchar (with type check: E-mail address)", "Email"),),
            ),
        ),
    ),
)

VARIABLES: tuple[str, ...] = tuple(
    v.name for page in PAGES for q in page.questions for v in q.variables
)
_TEXT_VARS = frozenset(
    v.name for page in PAGES for q in page.questions for v in q.variables if v.dtype != "int"
)
_VAR_PAGE = {v.name: i for i, page in enumerate(PAGES) for q in page.questions for v in q.variables}
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

# --------------------------------------------------------------------------- calibration

# Counts among the 188 completed interviews; a trailing remainder is "no answer".
_COUNTRY_COUNTS = {
    "Brazil": 52, "Turkey": 25, "Austria": 18, "Germany": 15, "Sweden": 12, "Italy": 10,
    "Portugal": 6, "Netherlands": 5, "United States": 5, "Spain": 4, "United Kingdom": 4,
    "India": 4, "Switzerland": 3, "France": 3, "Finland": 3, "Canada": 3, "Argentina": 2,
    "Poland": 2, "Norway": 2, "Denmark": 2, "Mexico": 2, "Belgium": 1, "Colombia": 1,
    "Chile": 1, "Ireland": 1,
}  # fmt: skip
_COMPANY_COUNTS = (12, 16, 24, 17, 34, 85)
_ROLE_COUNTS = (62, 33, 30, 20, 11, 9, 9, 5, 6)
_EXPERIENCE_COUNTS = (30, 62, 55, 24, 15)
_RELEVANCE_COUNTS = {"v_40": (4, 10, 30, 64, 76), "v_41": (3, 12, 31, 70, 67)}
_DIFFICULTY_COUNTS = {"v_42": (5, 18, 45, 78, 36), "v_43": (4, 20, 50, 72, 35)}
_EDUCATION_COUNTS = (153, 101, 43)
_Q13 = {"answered": 168, "options": (100, 72, 40, 9), "unseen": 7}
_Q14_COUNTS = (49, 119)
_Q15_BINS = (53, 34, 30, 13, 30)
# invalid Q15 answers: -99, -66, empty, vague words
_Q15_INVALID = (8, 4, 3, 13)
_Q16 = {"answered": 153, "options": (96, 95, 43, 20, 9), "unseen": 13}
_RATIO_BINS = (42, 30, 40, 21, 36)
# invalid D7/D8 pairs: both missing, unparseable, D8 > D7, D7 = 0, D8 missing
_PAIR_INVALID = (5, 4, 4, 3, 3)
_EMAIL_SHARE = 0.22
# Where the 88 suspended interviews stopped (index into PAGES, from "Welcome and consent").
_SUSPEND_PAGES = (30, 14, 8, 8, 8, 8, 5, 4, 3)

# Value sets the respondents pick from, per bin (weights favour round numbers).
_PERCENT_VALUES = (
    {0: 6, 1: 1, 2: 1, 3: 1, 5: 8, 10: 12, 15: 6},
    {20: 8, 25: 6, 30: 10, 35: 4},
    {40: 8, 45: 2, 50: 14, 55: 2},
    {60: 5, 65: 2, 70: 6, 75: 4},
    {80: 6, 85: 2, 90: 8, 95: 4, 100: 6},
)
_D7_VALUES = {
    1: 6, 2: 12, 3: 14, 4: 12, 5: 14, 6: 8, 7: 5, 8: 6, 9: 2, 10: 12, 12: 5, 14: 1, 15: 6,
    20: 6, 25: 2, 30: 3, 40: 1, 50: 2, 100: 1,
}  # fmt: skip

# --------------------------------------------------------------------------- free text banks

_Q13_OTHER = (
    "Batch scoring jobs on Spark",
    "Edge devices",
    "Serverless functions (AWS Lambda)",
    "Batch predictions written to a database table",
    "On-premise server, model file loaded by a cron job",
    "Mobile app (TensorFlow Lite)",
    "Edge devices (Jetson Nano) – on-premise",
    "Streaming job in Kafka/Flink",
    "Embedded in a PLC at the São Paulo plant",
)
_Q16_OTHER = (
    "Latency and resource usage",
    "Data drift (PSI)",
    "Business KPIs",
    "Number of requests and errors",
    "Prediction confidence",
    "Feature distributions compared to training data",
    "Manual review of samples by domain experts",
    "Costs of the cloud endpoints",
    "User feedback / complaints",
)
_MLOPS_APPROACH = (
    "GitLab CI/CD pipeline that retrains nightly",
    "Azure DevOps",
    "MLflow",
    "BentoML",
    "AWS SageMaker MLOps",
    "Kubeflow pipelines on our own Kubernetes cluster",
    "Airflow DAGs + MLflow model registry",
    "Jenkins jobs that retrain and redeploy the model weekly",
    "Vertex AI pipelines",
    "DVC + GitHub Actions",
    "Databricks (MLflow) with scheduled retraining jobs",
    "Own pipeline built by Müller's team on top of GitLab CI",
    "Azure ML + Azure DevOps release pipelines",
    "TFX on GCP",
    "SageMaker Pipelines + Model Monitor",
    "We follow the MLOps level 1 idea: continuous training pipeline and a feature store",
)
_Q15_VAGUE = (
    "most",
    "few",
    "not sure",
    "depends on the project",
    "no idea",
    "very few",
    "hard to tell",
    "majority",
)
_COUNT_UNPARSEABLE = ("many", "not sure", "lots", "I don't remember", "n/a", "hard to say")
_Q4_UNCODABLE = ("no problems so far", "n/a", "nothing special", "same as above", "–")

# Open codes of Q4, per phase: axial category -> open code -> (coder_1 count at 188, phrases).
# The most frequent codes are the ones the paper names, strictly in its order.
# fmt: off
_CODES: dict[str, dict[str, dict[str, tuple[int, tuple[str, ...]]]]] = {
    "deployment": {
        "Infrastructure": {
            "Infrastructure for production deployment": (26, (
                "setting up the infrastructure for production deployment",
                "no proper infrastructure to put models into production",
                "getting servers/containers from IT to run the model in production",
                "the production environment is not prepared for ML workloads",
                "building the infrastructure to serve the model",
                "lack of a production-ready environment at the client in São Paulo",
            )),
            "Infrastructure architecture": (15, (
                "deciding on the architecture (batch vs. real time, cloud vs. on-premise)",
                "designing the architecture of the serving infrastructure",
                "choosing between microservices and a monolith for the model",
                "no reference architecture for ML systems",
            )),
            "Scalability": (12, (
                "scaling the model to many requests",
                "scalability of the inference service under peak load",
                "the model does not scale to the full data volume",
                "horizontal scaling of GPU inference",
            )),
            "Cost": (9, (
                "high cloud costs for inference", "budget for GPUs in production",
                "infrastructure costs of 5.000 € per month were not planned",
                "financial constraints for hosting the models",
            )),
            "Hardware availability": (5, (
                "no GPUs available on-premise", "limited hardware on edge devices",
            )),
            "Cloud vendor lock-in": (3, (
                "vendor lock-in with the cloud provider",
                "dependence on one cloud platform's ML services",
            )),
        },
        "Integration": {
            "Legacy application integration": (20, (
                "integrating the model with legacy applications",
                "integration with the legacy ERP system",
                "legacy systems written in COBOL cannot call the model",
                "connecting the model to old systems of the customer",
                "the legacy application of Müller's team has no API",
            )),
            "API and interface design": (5, (
                "defining the API between the model and the application",
                "interface contracts change with every model version",
            )),
            "Data pipeline integration": (6, (
                "feeding production data to the model in the same format as in training",
                "feature pipelines differ between training and production",
                "integration with the data warehouse",
            )),
        },
        "Model management": {
            "Model versioning": (6, (
                "versioning models and data together",
                "keeping track of which model version is deployed",
            )),
            "Model packaging and dependencies": (7, (
                "dependency hell with Python packages",
                "packaging the model with its dependencies in a Docker image",
                'models work in the notebook but "in production" everything breaks',
            )),
            "Model performance in production": (5, (
                "latency of the model is too high in production",
                "the model is slower than expected on real data",
            )),
            "Reproducibility": (4, (
                "reproducing the training environment",
                "results not reproducible between environments",
            )),
        },
        "Organization": {
            "Lack of skilled people": (6, (
                "lack of people with MLOps skills", "data scientists do not know how to deploy",
                "no DevOps engineers in the team",
            )),
            "Communication between data science and IT": (5, (
                "communication between data scientists and IT operations",
                "handover from the data science team to the developers",
            )),
            "Management support": (3, (
                "management does not see the value of deploying",
                "no sponsor for putting the model into production",
            )),
        },
        "Process": {
            "No automated deployment pipeline": (7, (
                "no CI/CD pipeline for models", "deployment is manual",
                "every deployment is done by hand by one person",
            )),
            "Testing ML models": (4, (
                "how to test the model before release", "no acceptance tests for ML components",
            )),
            "Long release cycles": (3, (
                "release windows of the client are too long", "slow approval process for releases",
            )),
        },
        "Security and compliance": {
            "Data privacy and security": (5, (
                "data privacy (GDPR) restrictions in production",
                "security reviews of the model service",
            )),
            "Regulatory approval": (3, (
                "regulatory approval of the model (banking)",
                "certification requirements for medical devices",
            )),
        },
    },
    "monitoring": {
        "Tooling": {
            "Building own monitoring tools": (22, (
                "we had to build our own monitoring tools",
                "no off-the-shelf tool, so we built dashboards ourselves",
                "developing custom scripts to monitor the models",
                "building a monitoring solution from scratch",
                "had to write our own drift reports in Grafana",
            )),
            "Lack of suitable tools": (7, (
                "lack of suitable monitoring tools",
                "existing APM tools do not understand ML models",
            )),
            "Tool integration": (4, (
                "integrating monitoring into the existing observability stack",
                "monitoring tools do not integrate with our platform",
            )),
        },
        "Metrics": {
            "Choosing metrics": (17, (
                "choosing the right metrics to monitor",
                "which metrics indicate that the model degrades",
                "defining meaningful KPIs for the model",
                "selecting metrics the business understands",
            )),
            "Defining thresholds and alerts": (6, (
                "defining thresholds for alerts", "too many false alarms",
            )),
            "Lack of ground truth": (7, (
                "no ground truth available in production", "labels arrive months later",
            )),
        },
        "Practices": {
            "No monitoring practice in place": (13, (
                "there is no monitoring at all", "no monitoring practice in place",
                "models are deployed and forgotten", "nobody monitors the models after go-live",
            )),
            "Manual monitoring": (6, (
                "monitoring is done manually in spreadsheets",
                "manual checks of predictions once a month",
            )),
            "Unclear retraining triggers": (4, (
                "unclear when to retrain the model",
                "no process to decide when a model must be replaced",
            )),
        },
        "Data": {
            "Data drift detection": (9, (
                "detecting data drift",
                "input distributions change over time and we notice too late",
                "seasonality makes drift detection hard",
            )),
            "Concept drift": (5, (
                "concept drift after COVID-19", "the relation between features and target changes",
            )),
            "Data quality issues": (6, (
                "data quality problems in production data", "missing values in the incoming data",
            )),
        },
        "Organization": {
            "Unclear responsibility for monitoring": (5, (
                "unclear who is responsible for monitoring",
                "operations team does not feel responsible for the model",
            )),
            "Lack of resources": (4, (
                "no time or budget for monitoring", "monitoring is not prioritized",
            )),
            "Communication with business": (3, (
                "explaining monitoring results to the business",
                "business users do not report problems",
            )),
        },
    },
}
# fmt: on
# The open codes the paper names as most frequent, in its order.
PAPER_TOP_CODES = {
    "deployment": (
        "Infrastructure for production deployment",
        "Legacy application integration",
        "Infrastructure architecture",
        "Scalability",
        "Cost",
    ),
    "monitoring": (
        "Building own monitoring tools",
        "Choosing metrics",
        "No monitoring practice in place",
    ),
}
# Respondents giving 1, 2, 3 coded problems per phase (at 188); sums match the code counts.
_Q4_SLOTS = {"deployment": (45, 40, 10), "monitoring": (40, 27, 7)}
_Q4_UNCODED = {"deployment": 5, "monitoring": 6}
_Q4_VARIABLE = {"deployment": "v_50", "monitoring": "v_51"}
_SECOND_CODER_SHARE = 1 / 3
_CODER_AGREEMENT = 0.85

_USER_AGENTS = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.84 Safari/537.36",
        "0",
        "Chrome",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/100.0.4896.75 Safari/537.36",
        "0",
        "Chrome",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:98.0) Gecko/20100101 Firefox/98.0",
        "0",
        "Firefox",
        "Windows",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:97.0) Gecko/20100101 Firefox/97.0",
        "0",
        "Firefox",
        "Linux",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/15.3 Safari/605.1.15",
        "0",
        "Safari",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.74 Safari/537.36 Edg/99.0.1150.55",
        "0",
        "Edge",
        "Windows",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_3_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/15.3 Mobile/15E148 Safari/604.1",
        "1",
        "Safari",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.73 Mobile Safari/537.36",
        "1",
        "Chrome",
        "Android",
    ),
)
_UA_WEIGHTS = (30, 14, 8, 4, 6, 8, 6, 4)
_REFERERS = (
    "https://www.linkedin.com/",
    "-99",
    "https://t.co/",
    "https://www.facebook.com/",
    "https://mail.google.com/",
    "https://teams.microsoft.com/",
    "https://www.researchgate.net/",
)
_REFERER_WEIGHTS = (40, 30, 10, 6, 6, 5, 3)

# --------------------------------------------------------------------------- helpers


def _alloc(total: int, weights: Sequence[float]) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder).

    With weights that already sum to ``total`` it returns them unchanged, which is what
    keeps the default size exactly calibrated.
    """
    w = np.asarray(weights, dtype=np.float64)
    quota = total * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        # stable sort: ties go to the earlier category, so the result is deterministic
        order = np.argsort(-(quota - base), kind="stable")
        base[order[:rest]] += 1
    return base


def _scaled(counts: Sequence[int], n: int, base: int = BASE_COMPLETED) -> np.ndarray:
    """Counts given for ``base`` respondents, scaled to ``n``; last entry = the remainder."""
    return _alloc(n, [*counts, base - sum(counts)])


def _weighted(rng: np.random.Generator, table: dict, size: int) -> np.ndarray:
    keys = np.array(list(table), dtype=np.int64)
    p = np.array(list(table.values()), dtype=np.float64)
    return rng.choice(keys, size=size, p=p / p.sum())


def _missing(rng: np.random.Generator, size: int, p99: float = 0.7) -> np.ndarray:
    """-99 (no answer) or -66 (seen, not answered), as text."""
    return np.where(rng.random(size) < p99, "-99", "-66").astype(object)


def _text_missing(rng: np.random.Generator, size: int) -> np.ndarray:
    """An untouched text field of a submitted page: mostly -99, sometimes -66 or empty."""
    u = rng.random(size)
    return np.where(u < 0.6, "-99", np.where(u < 0.85, "-66", "")).astype(object)


def _single(
    rng: np.random.Generator, n: int, counts: Sequence[int], codes: Sequence[int] | None = None
) -> np.ndarray:
    """A single-choice column with exact counts per code; the remainder are missing codes."""
    alloc = _scaled(counts, n)
    codes = list(codes) if codes is not None else list(range(1, len(counts) + 1))
    col = np.repeat(np.array([str(c) for c in codes] + ["?"], dtype=object), alloc)
    col = col[rng.permutation(n)]
    gaps = col == "?"
    col[gaps] = _missing(rng, int(gaps.sum()))
    return col


def _multi(
    rng: np.random.Generator, n: int, answered: int, counts: Sequence[int], unseen: int
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 matrix with exactly ``answered`` rows having an option and the given column sums.

    Every answering row first gets one "primary" option (shares proportional to the counts),
    then the remaining selections go to random answering rows that lack the option. Of the
    rows that did not answer, ``unseen`` are filtered (-77), the others saw it and ticked
    nothing (all 0).
    """
    k = len(counts)
    mat = np.zeros((n, k), dtype=np.int64)
    order = rng.permutation(n)
    rows = order[:answered]
    counts = [min(int(c), answered) for c in counts]
    primary = _alloc(answered, counts)
    mat[rows, rng.permutation(np.repeat(np.arange(k), primary))] = 1
    for j in range(k):
        extra = counts[j] - int(mat[:, j].sum())
        if extra > 0:
            cand = rows[mat[rows, j] == 0]
            mat[rng.choice(cand, size=extra, replace=False), j] = 1
    mat[order[answered : answered + unseen]] = -77
    return mat, np.isin(np.arange(n), rows)


def _pick(rng: np.random.Generator, bank: Sequence[str], size: int) -> np.ndarray:
    out = np.empty(size, dtype=object)
    out[:] = [bank[i] for i in rng.integers(0, len(bank), size)]
    return out


# --------------------------------------------------------------------------- messy numbers

_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


def _render_count(v: float, u: float, w: float) -> str:
    """Text a respondent might type for a count whose cleaned value is exactly ``v``.

    Cleaning rules (surveyflow.checking.parsers.parse_count): numbers inside words are taken, open
    lower bounds take the bound, ranges the midpoint, number words their value. ``u`` picks
    the style, ``w`` a variant.
    """
    if not float(v).is_integer():  # only a range has a half as its clean value
        lo, hi = int(v - 0.5), int(v + 0.5)
        return f"{lo}-{hi}" if w < 0.6 else f"{lo} to {hi}"
    n = int(v)
    if n == 0:
        return "0" if u < 0.5 else ("none" if w < 0.5 else "zero")
    if u < 0.72 or (n < 4 and u < 0.86):  # nobody writes "about 2"
        return str(n) if w < 0.93 else f"{n} "
    if u < 0.76:
        return f"about {n}"
    if u < 0.79:
        return f"approx. {n}"
    if u < 0.82:
        return f"~{n}"
    if u < 0.86:
        return f"{n} projects" if n > 1 else "1 project"
    if u < 0.88 and n >= 5 and n % 5 == 0:
        return f"{n}+"
    if u < 0.90 and n >= 5:
        return f"more than {n}" if w < 0.5 else f">{n}"
    if u < 0.92 and n >= 2:
        return f"at least {n}"
    if u < 0.95 and n >= 3:
        return f"{n - 1}-{n + 1}" if w < 0.6 else f"{n - 1} to {n + 1}"
    if n <= 12:
        if n == 12 and w < 0.5:
            return "a dozen"
        word = _WORDS[n]
        return word.capitalize() if w < 0.4 else word
    return str(n)


def _render_percent(v: int, u: float, w: float) -> str:
    """Text for a percentage whose cleaned value is exactly ``v`` (parse_percentage rules)."""
    if v == 0 and u < 0.5:
        return "none" if w < 0.6 else "0%"
    if v == 100 and u < 0.5:
        return "all" if w < 0.6 else "all of them"
    if u >= 0.84:
        # Ranges and open intervals stand for their midpoint: "20-30%" is 25,
        # "less than 20%" is 10, "more than 80%" is 90.
        if v % 10 == 5 and 5 <= v <= 95:
            return f"{v - 5}-{v + 5}%"
        if v in (5, 10):
            return f"less than {2 * v}%"
        if v in (90, 95):
            return f"more than {2 * v - 100}%"
    if u < 0.50 or (v <= 3 and u < 0.9):
        return f"{v}%"
    if u < 0.72:
        return str(v)
    if u < 0.77:
        return f"{v} %"
    if u < 0.82:
        return f"about {v} %" if w < 0.5 else f"around {v}%"
    if u < 0.86:
        return f"~{v}%"
    if u < 0.90:
        return f"approx. {v}%"
    return f"{v}%"


# --------------------------------------------------------------------------- D7 / D8


def _d8_bounds(d7: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer D8 range whose ratio 100*D8/D7 lies in bin ``b`` (exact integer arithmetic)."""
    edges = np.asarray(BIN_EDGES)
    lo, hi = edges[b], edges[b + 1]
    lo_d8 = (lo * d7 + 99) // 100
    hi_d8 = np.where(b == len(BIN_EDGES) - 2, d7, (hi * d7 - 1) // 100)
    return lo_d8, hi_d8


def _bin_of(ratio: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(BIN_EDGES, ratio, side="right") - 1, len(BIN_EDGES) - 2)


def _draw_pairs(
    rng: np.random.Generator, b: np.ndarray, d7_table: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Draw (D7, D8) integer pairs whose ratio falls in the given bins."""
    d7 = _weighted(rng, d7_table, b.size)
    for _ in range(100):
        lo, hi = _d8_bounds(d7, b)
        bad = lo > hi
        if not bad.any():
            break
        d7[bad] = _weighted(rng, d7_table, int(bad.sum()))
    lo, hi = _d8_bounds(d7, b)
    d8 = lo + np.floor(rng.random(b.size) * (hi - lo + 1)).astype(np.int64)
    return d7, d8


def _same_bin_both_ways(d7: np.ndarray, d8: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where 100*d8/d7 and d8/d7*100 (float64) both land in bin ``b``."""
    return (_bin_of(100 * d8 / d7) == b) & (_bin_of(d8 / d7 * 100) == b)


def _valid_pairs(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` valid (D7, D8) target pairs: exact bin counts and mean ratio 45.41 (±0.0005)."""
    bins = rng.permutation(np.repeat(np.arange(5), _alloc(m, _RATIO_BINS)))
    d7, d8 = _draw_pairs(rng, bins, _D7_VALUES)
    d8 = d8.astype(np.float64)
    d7f = d7.astype(np.float64)
    target = TARGET_MEAN_RATIO * m

    # A few halves (clean value of a range like "2-3") so midpoints occur in the data.
    cand = d8 + 0.5
    half = (rng.random(m) < 0.02) & (cand <= d7) & _same_bin_both_ways(d7f, cand, bins)
    d8[half] = cand[half]

    # Coarse: redraw random pairs within their bin, keeping the smallest moves that shrink
    # the gap without overshooting it.
    for _ in range(500):
        gap = target - float(np.sum(100 * d8 / d7f))
        if abs(gap) < 15:
            break
        idx = rng.choice(m, size=min(m, max(64, m // 16)), replace=False)
        n7, n8 = _draw_pairs(rng, bins[idx], _D7_VALUES)
        delta = 100 * n8 / n7 - 100 * d8[idx] / d7f[idx]
        good = np.flatnonzero(np.sign(delta) == np.sign(gap))
        good = good[np.argsort(np.abs(delta[good]), kind="stable")]
        keep = good[np.cumsum(np.abs(delta[good])) <= abs(gap)]
        d7[idx[keep]], d8[idx[keep]] = n7[keep], n8[keep]
        d7f = d7.astype(np.float64)
    ok = d8 % 1 != 0  # the halves that survived: leave them alone

    # Fine: exhaustive search over one pair at a time (D7 up to 40) until the mean is right.
    grid7 = np.repeat(np.arange(1, 41), np.arange(2, 42))
    grid8 = np.concatenate([np.arange(0, k + 1) for k in range(1, 41)]).astype(np.float64)
    grid_ratio = 100 * grid8 / grid7
    tol = 0.0005 * m
    for i in rng.permutation(np.flatnonzero(~ok))[:50]:
        total = float(np.sum(100 * d8 / d7f))
        if abs(total - target) <= tol:
            break
        fits = _same_bin_both_ways(grid7.astype(np.float64), grid8, np.full(grid7.size, bins[i]))
        new_total = total - 100 * d8[i] / d7f[i] + grid_ratio
        err = np.where(fits, np.abs(new_total - target), np.inf)
        j = int(np.argmin(err))
        d7[i], d8[i] = grid7[j], grid8[j]
        d7f = d7.astype(np.float64)
    return d7, d8


def _projects(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """D7 and D8 answer texts for ``n`` respondents: valid pairs plus excluded ones."""
    kinds = _scaled(_PAIR_INVALID, n, base=BASE_COMPLETED)[:-1]
    n_valid = n - int(kinds.sum())
    d7, d8 = _valid_pairs(rng, n_valid)
    u = rng.random((n_valid, 4))
    t7 = [_render_count(a, u[i, 0], u[i, 1]) for i, a in enumerate(d7)]
    t8 = [_render_count(b, u[i, 2], u[i, 3]) for i, b in enumerate(d8)]

    both, unparse, inverted, zero, d8miss = (int(k) for k in kinds)
    miss = ("-99", "-66", "")
    for _ in range(both):
        t7.append(miss[rng.integers(0, 2)])
        t8.append(miss[rng.integers(0, 3)])
    for i in range(unparse):
        if i % 2:
            t7.append(str(int(rng.integers(3, 15))))
            t8.append(_COUNT_UNPARSEABLE[rng.integers(0, len(_COUNT_UNPARSEABLE))])
        else:
            t7.append(_COUNT_UNPARSEABLE[rng.integers(0, len(_COUNT_UNPARSEABLE))])
            t8.append(_COUNT_UNPARSEABLE[rng.integers(0, len(_COUNT_UNPARSEABLE))])
    for _ in range(inverted):  # more deployed than participated: a misread question
        a = int(rng.integers(1, 6))
        t7.append(str(a))
        t8.append(str(a + int(rng.integers(1, 6))))
    for i in range(zero):
        t7.append(("0", "none")[i % 2])
        t8.append(("0", "none", "-99")[i % 3])
    for _ in range(d8miss):
        t7.append(str(int(rng.integers(1, 12))))
        t8.append(miss[rng.integers(0, 3)])
    order = rng.permutation(n)
    return np.array(t7, dtype=object)[order], np.array(t8, dtype=object)[order]


def _percentages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Q15 answer texts: valid percentages with exact bin counts, plus non-valid answers."""
    alloc = _scaled([*_Q15_BINS, *_Q15_INVALID], n)
    out: list[str] = []
    for b, k in enumerate(alloc[:5]):
        vals = _weighted(rng, _PERCENT_VALUES[b], int(k))
        u = rng.random((int(k), 2))
        out += [_render_percent(int(v), u[i, 0], u[i, 1]) for i, v in enumerate(vals)]
    m99, m66, empty, vague = (int(k) for k in alloc[5:9])
    out += ["-99"] * m99 + ["-66"] * m66 + [""] * empty
    out += list(_pick(rng, _Q15_VAGUE, vague))
    # The remainder (only when scaled) are no answers too.
    out += ["-99"] * int(alloc[-1])
    return np.array(out, dtype=object)[rng.permutation(n)]


# --------------------------------------------------------------------------- Q4 and coding


def _q4(
    rng: np.random.Generator, n: int, phase: str
) -> tuple[np.ndarray, list[tuple[int, str, str, str]]]:
    """Answers to one Q4 field and the statements they consist of, with their open code.

    Statements are dealt out in layers (everyone's first slot, then second, then third),
    code after code, so that no respondent gets the same code twice as long as no code is
    more frequent than the respondents with two or more slots.
    """
    codes = [
        (cat, code, cnt, phrases)
        for cat, block in _CODES[phase].items()
        for code, (cnt, phrases) in block.items()
    ]
    counts = _alloc(round(n * sum(c[2] for c in codes) / BASE_COMPLETED), [c[2] for c in codes])
    total = int(counts.sum())
    r1, r2, r3 = (round(x * n / BASE_COMPLETED) for x in _Q4_SLOTS[phase])
    r1 = total - 2 * r2 - 3 * r3
    if r1 < 0 or r1 + r2 + r3 > n:
        raise ValueError(f"too few respondents ({n}) for the Q4 {phase} answers")
    people = rng.permutation(n)[: r1 + r2 + r3]
    three, two, one = people[:r3], people[r3 : r3 + r2], people[r3 + r2 :]
    slots = np.concatenate([three, two, one, three, two, three])
    code_order = rng.permutation(len(codes))
    code_of_slot = np.repeat(code_order, counts[code_order])
    if max(counts) > r2 + r3:
        raise ValueError("a Q4 code is more frequent than the layering allows")

    # Random order of each respondent's statements, a phrase and a writing style each.
    order = np.lexsort((rng.random(slots.size), slots))
    person_of, code_of = slots[order], code_of_slot[order]
    bank_size = np.array([len(c[3]) for c in codes])
    phrase = np.floor(rng.random(code_of.size) * bank_size[code_of]).astype(np.int64)
    texts = [codes[c][3][k] for c, k in zip(code_of.tolist(), phrase.tolist(), strict=True)]
    persons, first = np.unique(person_of, return_index=True)
    bounds = [*first.tolist(), person_of.size]
    styles = rng.random(persons.size).tolist()
    answers = _text_missing(rng, n)
    statements: list[tuple[int, str, str, str]] = []
    for i, person in enumerate(persons.tolist()):
        lo, hi, style = bounds[i], bounds[i + 1], styles[i]
        mine = texts[lo:hi]
        if 0.4 <= style < 0.65 or style >= 0.8:
            # sentences and numbered lists start with a capital; the statement keeps it
            mine = [t[0].upper() + t[1:] for t in mine]
        if len(mine) == 1:
            answer = mine[0]
        elif style < 0.4:
            answer = "; ".join(mine)
        elif style < 0.65:
            answer = " ".join(f"{j + 1}) {t}" for j, t in enumerate(mine))
        elif style < 0.8:
            answer = " / ".join(mine)
        else:
            answer = ". ".join(mine)
        answers[person] = answer
        for t, c in zip(mine, code_of[lo:hi].tolist(), strict=True):
            statements.append((person, t, codes[c][1], codes[c][0]))
    free = np.setdiff1d(np.arange(n), people)
    k = min(len(free), round(_Q4_UNCODED[phase] * n / BASE_COMPLETED))
    answers[rng.choice(free, size=k, replace=False)] = _pick(rng, _Q4_UNCODABLE, k)
    return answers, statements


def _second_coder(
    rng: np.random.Generator, phase: str, code: str, category: str
) -> tuple[str, str]:
    """The second coder's reading of a statement: mostly the same code."""
    if rng.random() < _CODER_AGREEMENT:
        return code, category
    same_cat = [c for c in _CODES[phase][category] if c != code]
    if same_cat and rng.random() < 0.7:
        return same_cat[rng.integers(0, len(same_cat))], category
    cats = [c for c in _CODES[phase] if c != category]
    other = cats[rng.integers(0, len(cats))]
    names = list(_CODES[phase][other])
    return names[rng.integers(0, len(names))], other


def _top_order_holds(codes: Sequence[tuple[str, str]]) -> bool:
    """True when the paper's codes lead each phase's frequencies, strictly in its order."""
    for phase, top in PAPER_TOP_CODES.items():
        counts: dict[str, int] = {}
        for p, code in codes:
            if p == phase:
                counts[code] = counts.get(code, 0) + 1
        rest = max((v for k, v in counts.items() if k not in top), default=0)
        values = [counts.get(code, 0) for code in top] + [rest]
        if any(a <= b for a, b in zip(values, values[1:], strict=False)):
            return False
    return True


def _second_coding(
    rng: np.random.Generator, coded: Sequence[tuple[int, str, str, str, str]]
) -> dict[int, tuple[str, str]]:
    """coder_2's (code, category) for about a third of the statements, by statement index.

    The sample is stratified by open code, and redrawn (deterministically) until the
    paper's codes still lead when both coders' rows are counted together.
    """
    by_code: dict[tuple[str, str], list[int]] = {}
    for i, (_, phase, _, code, _) in enumerate(coded):
        by_code.setdefault((phase, code), []).append(i)
    first = [(phase, code) for _, phase, _, code, _ in coded]
    chosen: dict[int, tuple[str, str]] = {}
    for _ in range(200):
        chosen = {}
        for (phase, _), idx in by_code.items():
            k = int(round(len(idx) * _SECOND_CODER_SHARE))
            for i in sorted(rng.choice(idx, size=k, replace=False).tolist()):
                _, _, _, code, category = coded[i]
                chosen[i] = _second_coder(rng, phase, code, category)
        both = first + [(coded[i][1], c) for i, (c, _) in chosen.items()]
        if _top_order_holds(both):
            break
    return chosen


# --------------------------------------------------------------------------- answers


def _answers(
    rng: np.random.Generator, n: int, *, special: bool
) -> tuple[dict[str, np.ndarray], list[tuple[int, str, str, str, str]]]:
    """All v_ columns for a block of ``n`` respondents who saw every page.

    Counts are the completed-interview targets scaled to ``n``. ``special`` adds the one
    Q13 respondent who typed an "other" text without ticking the box.
    """
    col: dict[str, np.ndarray] = {}

    # D1 country
    names = list(_COUNTRY_COUNTS)
    codes = [COUNTRIES.index(c) + 1 for c in names]
    col["v_10"] = _single(rng, n, list(_COUNTRY_COUNTS.values()), codes)
    col["v_11"] = _single(rng, n, _COMPANY_COUNTS)

    # D3 degrees: masters mostly among bachelors, PhDs mostly among masters
    kb, km, kp = (int(x) for x in _scaled(_EDUCATION_COUNTS, n)[:3])
    edu = np.zeros((n, 3), dtype=np.int64)
    edu[rng.choice(n, size=kb, replace=False), 0] = 1
    for j, k in ((1, km), (2, kp)):
        p = np.where(edu[:, j - 1] == 1, 10.0, 1.0)
        edu[rng.choice(n, size=k, replace=False, p=p / p.sum()), j] = 1
    for j, v in enumerate(("v_12", "v_13", "v_14")):
        col[v] = edu[:, j].astype(str).astype(object)

    col["v_20"] = _single(rng, n, _ROLE_COUNTS)
    col["v_23"] = _single(rng, n, _EXPERIENCE_COUNTS)
    col["v_30"], col["v_31"] = _projects(rng, n)
    for v, counts in {**_RELEVANCE_COUNTS, **_DIFFICULTY_COUNTS}.items():
        col[v] = _single(rng, n, counts)

    # Q4 open answers and their coded statements
    coded: list[tuple[int, str, str, str, str]] = []
    for phase, var in _Q4_VARIABLE.items():
        col[var], statements = _q4(rng, n, phase)
        coded += [(p, phase, s, c, a) for p, s, c, a in statements]

    # Q13 deployment approach
    answered = int(_scaled([_Q13["answered"]], n)[0])
    unseen = int(_scaled([_Q13["unseen"]], n)[0])
    opts = [int(x) for x in _scaled(_Q13["options"], n)[:4]]
    mat, _ = _multi(rng, n, answered, opts, unseen)
    other = _text_missing(rng, n)
    other[mat[:, 3] == -77] = "-77"
    holders = rng.permutation(np.flatnonzero(mat[:, 3] == 1))
    other[holders] = _pick(rng, _Q13_OTHER, holders.size)
    if special and holders.size >= 3:
        mat[holders[0], 3] = 0  # typed a text, forgot the box: the cleaning must log it
        other[holders[1]] = "-99"  # ticked the box, wrote nothing
    for j, v in enumerate(("v_60", "v_61", "v_62", "v_63")):
        col[v] = mat[:, j].astype(str).astype(object)
    col["v_64"] = other

    # Q14 MLOps and the approach text (shown only after "Yes")
    col["v_70"] = _single(rng, n, _Q14_COUNTS)
    approach = np.full(n, "-77", dtype=object)
    yes = np.flatnonzero(col["v_70"] == "1")
    approach[yes] = _pick(rng, _MLOPS_APPROACH, yes.size)
    silent = yes[rng.random(yes.size) < 0.25]
    approach[silent] = _text_missing(rng, silent.size)
    col["v_71"] = approach

    col["v_80"] = _percentages(rng, n)

    # Q16 monitored aspects
    answered = int(_scaled([_Q16["answered"]], n)[0])
    unseen = int(_scaled([_Q16["unseen"]], n)[0])
    opts = [int(x) for x in _scaled(_Q16["options"], n)[:5]]
    mat, _ = _multi(rng, n, answered, opts, unseen)
    other = _text_missing(rng, n)
    other[mat[:, 4] == -77] = "-77"
    holders = rng.permutation(np.flatnonzero(mat[:, 4] == 1))
    other[holders] = _pick(rng, _Q16_OTHER, holders.size)
    if holders.size >= 2:
        other[holders[0]] = "-99"
    for j, v in enumerate(("v_90", "v_91", "v_92", "v_93", "v_94")):
        col[v] = mat[:, j].astype(str).astype(object)
    col["v_95"] = other

    col["v_99"] = _text_missing(rng, n)
    return col, coded


# --------------------------------------------------------------------------- metadata


def _timestamps(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sorted start times (seconds) between 10 January and 29 April 2022."""
    start = np.datetime64("2022-01-10T07:00:00", "s").astype(np.int64)
    end = np.datetime64("2022-04-29T22:00:00", "s").astype(np.int64)
    return np.sort(rng.integers(start, end, size=n))


def _fmt_times(seconds: np.ndarray) -> list[str]:
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return [t.replace("T", " ") for t in text.tolist()]


def _escape(cell: str) -> str:
    return cell.replace('"', '""')


# --------------------------------------------------------------------------- files


def _codebook() -> str:
    lines = [TITLE, "", f"Project ID\t{PROJECT_ID}", f"Survey URL\t{SURVEY_URL}"]
    lines += [f"Date\t{EXPORT_DATE}", ""]
    for number, page in enumerate(PAGES, start=1):
        lines += [f"{number} Page: {page.title} (PGID {page.pgid})", ""]
        for q in page.questions:
            lines.append(f"{q.text} (q_{q.qid} - Type {q.qtype})")
            for v in q.variables:
                lines.append(f"{v.name}\t{v.name}\t{v.dtype}\t{v.label}")
                lines += [f"\t\t{code}\t{label}" for code, label in v.values]
            lines += ["", ""]
        if number < len(PAGES):
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def _coding_sheet(rows: list[tuple[int, str, str, str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["respondent_id", "phase", "statement", "open_code", "axial_category", "coder"])
    writer.writerows(rows)
    return buf.getvalue()


def generate(seed: int = DEFAULT_SEED, respondents: int | None = None) -> SyntheticExport:
    """Generate the synthetic export.

    ``respondents=None`` gives the calibrated default (276 interviews, 188 completed);
    another number gives that many interviews with the same proportions.
    """
    total = BASE_RESPONDENTS if respondents is None else int(respondents)
    if total < MIN_RESPONDENTS:
        raise ValueError(f"respondents must be at least {MIN_RESPONDENTS}, got {total}")
    rng = np.random.default_rng(seed)
    n_done = round(total * BASE_COMPLETED / BASE_RESPONDENTS)
    n_susp = total - n_done

    done, coded = _answers(rng, n_done, special=True)
    susp, _ = _answers(rng, n_susp, special=False)

    # Suspended interviews: answers only on pages before the one they stopped at.
    stop = np.repeat(np.arange(1, len(PAGES)), _alloc(n_susp, _SUSPEND_PAGES))[
        rng.permutation(n_susp)
    ]
    for v in VARIABLES:
        unseen = stop <= _VAR_PAGE[v]
        if v in _TEXT_VARS:
            susp[v][unseen] = np.where(rng.random(int(unseen.sum())) < 0.9, "-77", "")
        else:
            susp[v][unseen] = "-77"

    # Rows in order of start time; lfdn increases with gaps (deleted test interviews).
    is_done = np.concatenate([np.ones(n_done, bool), np.zeros(n_susp, bool)])
    perm = rng.permutation(total)  # row r shows block respondent perm[r]
    step = np.where(rng.random(total) < 0.85, 1, rng.integers(2, 6, size=total))
    lfdn = 6 + np.cumsum(step)
    row_of = np.empty(total, dtype=np.int64)
    row_of[perm] = np.arange(total)

    cols = {v: np.concatenate([done[v], susp[v]])[perm] for v in VARIABLES}
    done_rows = is_done[perm]

    # E-mail addresses of completed respondents who asked for the results
    asked = done_rows & (rng.random(total) < _EMAIL_SHARE)
    cols["v_99"][asked] = [f"person{int(x)}@example.org" for x in lfdn[asked]]

    dispcode = np.where(done_rows, np.where(rng.random(total) < 0.06, "32", "31"), "22")
    stop_all = np.concatenate([np.full(n_done, len(PAGES)), stop])[perm]
    pgids = np.array([p.pgid for p in PAGES] + [END_PGID])
    lastpage = pgids[stop_all]
    duration = np.where(
        done_rows,
        np.round(rng.lognormal(np.log(1100), 0.45, total)),
        np.round(stop_all * 70 * rng.lognormal(0, 0.6, total)),
    ).astype(np.int64)
    duration[dispcode == "32"] += rng.integers(3600, 86400, size=int((dispcode == "32").sum()))
    duration[(~done_rows) & (stop_all == 1) & (rng.random(total) < 0.3)] = 0

    starts = _timestamps(rng, total)
    ua = rng.choice(len(_USER_AGENTS), size=total, p=np.array(_UA_WEIGHTS) / sum(_UA_WEIGHTS))
    ref = rng.choice(len(_REFERERS), size=total, p=np.array(_REFERER_WEIGHTS) / 100)
    sid = rng.integers(0, 2**32, size=(total, 4), dtype=np.uint64)
    meta = {
        "browser": [_USER_AGENTS[i][0] for i in ua],
        "referer": [_REFERERS[i] for i in ref],
        "device_type": [_USER_AGENTS[i][1] for i in ua],
        "participant_browser": [_USER_AGENTS[i][2] for i in ua],
        "participant_os": [_USER_AGENTS[i][3] for i in ua],
        "session_id": [f"{a:08x}{b:08x}{c:08x}{d:08x}" for a, b, c, d in sid.tolist()],
        "language": ["1"] * total,
        "datetime": _fmt_times(starts),
        "date_of_last_access": _fmt_times(starts + np.maximum(duration, 0)),
    }
    head = {
        "lfdn": lfdn.astype(str).tolist(),
        "external_lfdn": ["0"] * total,
        "tester": ["0"] * total,
        "dispcode": dispcode.tolist(),
        "lastpage": lastpage.astype(str).tolist(),
        "quality": ["-77"] * total,
        "duration": duration.astype(str).tolist(),
    }
    body = {v: cols[v].tolist() for v in VARIABLES}
    for v in _TEXT_VARS:  # only free text can hold a double quote
        if any('"' in x for x in body[v]):
            body[v] = [_escape(x) for x in body[v]]
    columns = [*head.values(), *body.values(), *meta.values()]
    header = [*HEAD_COLUMNS, *VARIABLES, *META_COLUMNS]
    lines = ['"' + '";"'.join(header) + '"']
    lines += ['"' + '";"'.join(row) + '"' for row in zip(*columns, strict=True)]
    data_text = "\r\n".join(lines) + "\r\n"

    # Coding sheet: coder_1 for every statement, coder_2 for about a third.
    rows: list[tuple[int, str, str, str, str, str]] = []
    second = _second_coding(rng, coded)
    for i, (person, phase, statement, code, category) in enumerate(coded):
        rid = int(lfdn[row_of[person]])
        rows.append((rid, phase, statement, code, category, "coder_1"))
        if i in second:
            rows.append((rid, phase, statement, *second[i], "coder_2"))
    phase_rank = {"deployment": 0, "monitoring": 1}
    rows.sort(key=lambda r: (r[0], phase_rank[r[1]]))  # stable: keeps statement order

    return SyntheticExport(
        data_name=DATA_NAME,
        data_text=data_text,
        codebook_name=CODEBOOK_NAME,
        codebook_text=_codebook(),
        coding_name=CODING_NAME,
        coding_text=_coding_sheet(rows),
        seed=seed,
        respondents=total,
    )

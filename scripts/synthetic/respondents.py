"""Respondents' answers: every v_ column of completed and of suspended interviews."""

from __future__ import annotations

import numpy as np

from .layout import COUNTRIES, PAGES, Q4_VARIABLE, TEXT_VARS, VAR_PAGE, VARIABLES
from .messy_numbers import percentages, projects
from .problems import q4_answers
from .sampling import alloc, multi, pick, scaled, single, text_missing
from .targets import TARGETS

# Free text of the "other" options and of the MLOps approach: invented, with a few non-ASCII
# characters so that the export's encoding matters.
Q13_OTHER = (
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
Q16_OTHER = (
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
MLOPS_APPROACH = (
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


def answers(
    rng: np.random.Generator, n: int, *, special: bool
) -> tuple[dict[str, np.ndarray], list[tuple[int, str, str, str, str]]]:
    """All v_ columns for a block of ``n`` respondents who saw every page.

    Counts are the completed-interview targets scaled to ``n``. ``special`` adds the one
    Q13 respondent who typed an "other" text without ticking the box.
    """
    col: dict[str, np.ndarray] = {}

    # D1 country
    names = list(TARGETS.countries)
    codes = [COUNTRIES.index(c) + 1 for c in names]
    col["v_10"] = single(rng, n, list(TARGETS.countries.values()), codes)
    col["v_11"] = single(rng, n, TARGETS.company_size)

    # D3 degrees: masters mostly among bachelors, PhDs mostly among masters
    kb, km, kp = (int(x) for x in scaled(TARGETS.degrees, n)[:3])
    edu = np.zeros((n, 3), dtype=np.int64)
    edu[rng.choice(n, size=kb, replace=False), 0] = 1
    for j, k in ((1, km), (2, kp)):
        p = np.where(edu[:, j - 1] == 1, 10.0, 1.0)
        edu[rng.choice(n, size=k, replace=False, p=p / p.sum()), j] = 1
    for j, v in enumerate(("v_12", "v_13", "v_14")):
        col[v] = edu[:, j].astype(str).astype(object)

    col["v_20"] = single(rng, n, TARGETS.roles)
    col["v_23"] = single(rng, n, TARGETS.experience)
    col["v_30"], col["v_31"] = projects(rng, n)
    for v, counts in {**TARGETS.relevance, **TARGETS.difficulty}.items():
        col[v] = single(rng, n, counts)

    # Q4 open answers and their coded statements
    coded: list[tuple[int, str, str, str, str]] = []
    for phase, var in Q4_VARIABLE.items():
        col[var], statements = q4_answers(rng, n, phase)
        coded += [(p, phase, s, c, a) for p, s, c, a in statements]

    # Q13 deployment approach
    answered = int(scaled([TARGETS.q13.answered], n)[0])
    unseen = int(scaled([TARGETS.q13.unseen], n)[0])
    opts = [int(x) for x in scaled(TARGETS.q13.options, n)[:4]]
    mat, _ = multi(rng, n, answered, opts, unseen)
    other = text_missing(rng, n)
    other[mat[:, 3] == -77] = "-77"
    holders = rng.permutation(np.flatnonzero(mat[:, 3] == 1))
    other[holders] = pick(rng, Q13_OTHER, holders.size)
    if special and holders.size >= 3:
        mat[holders[0], 3] = 0  # typed a text, forgot the box: the cleaning must log it
        other[holders[1]] = "-99"  # ticked the box, wrote nothing
    for j, v in enumerate(("v_60", "v_61", "v_62", "v_63")):
        col[v] = mat[:, j].astype(str).astype(object)
    col["v_64"] = other

    # Q14 MLOps and the approach text (shown only after "Yes")
    col["v_70"] = single(rng, n, TARGETS.q14)
    approach = np.full(n, "-77", dtype=object)
    yes = np.flatnonzero(col["v_70"] == "1")
    approach[yes] = pick(rng, MLOPS_APPROACH, yes.size)
    silent = yes[rng.random(yes.size) < 0.25]
    approach[silent] = text_missing(rng, silent.size)
    col["v_71"] = approach

    col["v_80"] = percentages(rng, n)

    # Q16 monitored aspects
    answered = int(scaled([TARGETS.q16.answered], n)[0])
    unseen = int(scaled([TARGETS.q16.unseen], n)[0])
    opts = [int(x) for x in scaled(TARGETS.q16.options, n)[:5]]
    mat, _ = multi(rng, n, answered, opts, unseen)
    other = text_missing(rng, n)
    other[mat[:, 4] == -77] = "-77"
    holders = rng.permutation(np.flatnonzero(mat[:, 4] == 1))
    other[holders] = pick(rng, Q16_OTHER, holders.size)
    if holders.size >= 2:
        other[holders[0]] = "-99"
    for j, v in enumerate(("v_90", "v_91", "v_92", "v_93", "v_94")):
        col[v] = mat[:, j].astype(str).astype(object)
    col["v_95"] = other

    col["v_99"] = text_missing(rng, n)
    return col, coded


def suspended(rng: np.random.Generator, n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The v_ columns of ``n`` suspended interviews and the page each stopped at.

    Answers are drawn as for completed interviews, then blanked on the page they stopped at
    and after it, as the survey tool leaves what a respondent never saw.
    """
    col, _ = answers(rng, n, special=False)
    stop = np.repeat(np.arange(1, len(PAGES)), alloc(n, TARGETS.suspended_at_page))[
        rng.permutation(n)
    ]
    for v in VARIABLES:
        unseen = stop <= VAR_PAGE[v]
        if v in TEXT_VARS:
            col[v][unseen] = np.where(rng.random(int(unseen.sum())) < 0.9, "-77", "")
        else:
            col[v][unseen] = "-77"
    return col, stop

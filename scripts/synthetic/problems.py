"""Q4 open answers: the problems respondents name per phase, as statements with their open code."""

from __future__ import annotations

import numpy as np

from .sampling import alloc, pick, text_missing
from .targets import TARGETS

# Answers nobody can code: they fill Q4 without naming a problem.
UNCODABLE = ("no problems so far", "n/a", "nothing special", "same as above", "–")

# The phrases respondents use for each open code of Q4, per phase and axial category. How
# often each code occurs is a calibration target (codes in targets.yaml); the two must name
# the same categories and codes, checked below.
# fmt: off
PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "deployment": {
        "Infrastructure": {
            "Infrastructure for production deployment": (
                "setting up the infrastructure for production deployment",
                "no proper infrastructure to put models into production",
                "getting servers/containers from IT to run the model in production",
                "the production environment is not prepared for ML workloads",
                "building the infrastructure to serve the model",
                "lack of a production-ready environment at the client in São Paulo",
            ),
            "Infrastructure architecture": (
                "deciding on the architecture (batch vs. real time, cloud vs. on-premise)",
                "designing the architecture of the serving infrastructure",
                "choosing between microservices and a monolith for the model",
                "no reference architecture for ML systems",
            ),
            "Scalability": (
                "scaling the model to many requests",
                "scalability of the inference service under peak load",
                "the model does not scale to the full data volume",
                "horizontal scaling of GPU inference",
            ),
            "Cost": (
                "high cloud costs for inference", "budget for GPUs in production",
                "infrastructure costs of 5.000 € per month were not planned",
                "financial constraints for hosting the models",
            ),
            "Hardware availability": (
                "no GPUs available on-premise", "limited hardware on edge devices",
            ),
            "Cloud vendor lock-in": (
                "vendor lock-in with the cloud provider",
                "dependence on one cloud platform's ML services",
            ),
        },
        "Integration": {
            "Legacy application integration": (
                "integrating the model with legacy applications",
                "integration with the legacy ERP system",
                "legacy systems written in COBOL cannot call the model",
                "connecting the model to old systems of the customer",
                "the legacy application of Müller's team has no API",
            ),
            "API and interface design": (
                "defining the API between the model and the application",
                "interface contracts change with every model version",
            ),
            "Data pipeline integration": (
                "feeding production data to the model in the same format as in training",
                "feature pipelines differ between training and production",
                "integration with the data warehouse",
            ),
        },
        "Model management": {
            "Model versioning": (
                "versioning models and data together",
                "keeping track of which model version is deployed",
            ),
            "Model packaging and dependencies": (
                "dependency hell with Python packages",
                "packaging the model with its dependencies in a Docker image",
                'models work in the notebook but "in production" everything breaks',
            ),
            "Model performance in production": (
                "latency of the model is too high in production",
                "the model is slower than expected on real data",
            ),
            "Reproducibility": (
                "reproducing the training environment",
                "results not reproducible between environments",
            ),
        },
        "Organization": {
            "Lack of skilled people": (
                "lack of people with MLOps skills", "data scientists do not know how to deploy",
                "no DevOps engineers in the team",
            ),
            "Communication between data science and IT": (
                "communication between data scientists and IT operations",
                "handover from the data science team to the developers",
            ),
            "Management support": (
                "management does not see the value of deploying",
                "no sponsor for putting the model into production",
            ),
        },
        "Process": {
            "No automated deployment pipeline": (
                "no CI/CD pipeline for models", "deployment is manual",
                "every deployment is done by hand by one person",
            ),
            "Testing ML models": (
                "how to test the model before release", "no acceptance tests for ML components",
            ),
            "Long release cycles": (
                "release windows of the client are too long", "slow approval process for releases",
            ),
        },
        "Security and compliance": {
            "Data privacy and security": (
                "data privacy (GDPR) restrictions in production",
                "security reviews of the model service",
            ),
            "Regulatory approval": (
                "regulatory approval of the model (banking)",
                "certification requirements for medical devices",
            ),
        },
    },
    "monitoring": {
        "Tooling": {
            "Building own monitoring tools": (
                "we had to build our own monitoring tools",
                "no off-the-shelf tool, so we built dashboards ourselves",
                "developing custom scripts to monitor the models",
                "building a monitoring solution from scratch",
                "had to write our own drift reports in Grafana",
            ),
            "Lack of suitable tools": (
                "lack of suitable monitoring tools",
                "existing APM tools do not understand ML models",
            ),
            "Tool integration": (
                "integrating monitoring into the existing observability stack",
                "monitoring tools do not integrate with our platform",
            ),
        },
        "Metrics": {
            "Choosing metrics": (
                "choosing the right metrics to monitor",
                "which metrics indicate that the model degrades",
                "defining meaningful KPIs for the model",
                "selecting metrics the business understands",
            ),
            "Defining thresholds and alerts": (
                "defining thresholds for alerts", "too many false alarms",
            ),
            "Lack of ground truth": (
                "no ground truth available in production", "labels arrive months later",
            ),
        },
        "Practices": {
            "No monitoring practice in place": (
                "there is no monitoring at all", "no monitoring practice in place",
                "models are deployed and forgotten", "nobody monitors the models after go-live",
            ),
            "Manual monitoring": (
                "monitoring is done manually in spreadsheets",
                "manual checks of predictions once a month",
            ),
            "Unclear retraining triggers": (
                "unclear when to retrain the model",
                "no process to decide when a model must be replaced",
            ),
        },
        "Data": {
            "Data drift detection": (
                "detecting data drift",
                "input distributions change over time and we notice too late",
                "seasonality makes drift detection hard",
            ),
            "Concept drift": (
                "concept drift after COVID-19", "the relation between features and target changes",
            ),
            "Data quality issues": (
                "data quality problems in production data", "missing values in the incoming data",
            ),
        },
        "Organization": {
            "Unclear responsibility for monitoring": (
                "unclear who is responsible for monitoring",
                "operations team does not feel responsible for the model",
            ),
            "Lack of resources": (
                "no time or budget for monitoring", "monitoring is not prioritized",
            ),
            "Communication with business": (
                "explaining monitoring results to the business",
                "business users do not report problems",
            ),
        },
    },
}
# fmt: on


def _names(tree: dict[str, dict[str, dict]]) -> set[tuple[str, str, str]]:
    return {(p, c, k) for p, cats in tree.items() for c, block in cats.items() for k in block}


def _combine() -> dict[str, dict[str, dict[str, tuple[int, tuple[str, ...]]]]]:
    """phase -> category -> code -> (count, phrases), in the order of targets.yaml."""
    if _names(TARGETS.codes) != _names(PHRASES):
        raise ValueError("the codes of targets.yaml and the phrase bank of problems.py differ")
    return {
        phase: {
            cat: {code: (count, PHRASES[phase][cat][code]) for code, count in block.items()}
            for cat, block in cats.items()
        }
        for phase, cats in TARGETS.codes.items()
    }


# Counts and phrases together; dict order (targets.yaml's) decides how codes are dealt out.
CODES = _combine()


def q4_answers(
    rng: np.random.Generator, n: int, phase: str
) -> tuple[np.ndarray, list[tuple[int, str, str, str]]]:
    """Answers to one Q4 field and the statements they consist of, with their open code.

    Statements are dealt out in layers (everyone's first slot, then second, then third),
    code after code, so that no respondent gets the same code twice as long as no code is
    more frequent than the respondents with two or more slots.
    """
    codes = [
        (cat, code, cnt, phrases)
        for cat, block in CODES[phase].items()
        for code, (cnt, phrases) in block.items()
    ]
    counts = alloc(round(n * sum(c[2] for c in codes) / TARGETS.completed), [c[2] for c in codes])
    total = int(counts.sum())
    r1, r2, r3 = (round(x * n / TARGETS.completed) for x in TARGETS.q4_slots[phase])
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
    answers = text_missing(rng, n)
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
    k = min(len(free), round(TARGETS.q4_uncoded[phase] * n / TARGETS.completed))
    answers[rng.choice(free, size=k, replace=False)] = pick(rng, UNCODABLE, k)
    return answers, statements

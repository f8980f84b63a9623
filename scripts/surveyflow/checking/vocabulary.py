"""Names the estimates tables spell, defined once: CI methods, the mean row, the columns.

Imports nothing, so the bootstrap engine and the config check (run when the workflow is
parsed) can use these without loading pandera; the schemas declare them as allowed values.
"""

#: `ci_method` / `ci_used` of an estimates table, and the methods the bootstrap engine knows:
#: ``paper`` as published, ``percentile`` and ``bca`` bootstrap intervals, ``wilson`` (shares)
#: and ``t`` (means) analytic references.
CI_METHODS = ("paper", "percentile", "bca", "wilson", "t")

#: `label` of the row kind "mean of the answers" (RQ5's 45.41%) beside the share rows; the
#: analyses write it, the reproduction check, captions and figures pick the row out by it.
MEAN_LABEL = "Mean"

#: The columns of an estimates table, in file order: the analyses write them in this order and
#: the estimates schema (surveyflow.checking.schemas) declares each one's type in it.
ESTIMATE_COLUMNS = (
    "analysis", "paper_label", "label", "n", "count", "estimate", "boot_mean", "boot_se",
    "ci_method", "ci_used", "ci_level", "ci_low", "ci_high", "resamples", "seed",
)  # fmt: skip

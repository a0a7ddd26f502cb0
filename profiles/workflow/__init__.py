"""The assessment workflow: the only code that changes an assessment's status.

`transitions` holds the graph and `apply()`; `consultation` the inter-ministerial
comments; `signoff` what a validator reviews and signs. The package re-exports the
transition API, so callers write `workflow.apply(workflow.SHARE, ...)`.

Who may apply a transition, edit or comment is `profiles.access`'s answer; this
package says when (the graph) and does it.

May import: models, content, access, publishing. Never public, api, outputs or admin.
"""

from profiles.workflow.transitions import (
    BY_NAME,
    PUBLISH,
    REOPEN,
    RETURN,
    REVALIDATE,
    REVISE,
    SHARE,
    SUBMIT,
    TRANSITIONS,
    VALIDATE,
    WITHDRAW,
    ContentChanged,
    InvalidTransition,
    NotEditable,
    SignOffDetails,
    Transition,
    apply,
    assert_editable,
    available,
    bump_revision,
    ensure_ready_for_validation,
    record_sign_off,
    send_back_after_framework_change,
)

__all__ = [
    "BY_NAME",
    "PUBLISH",
    "REOPEN",
    "RETURN",
    "REVALIDATE",
    "REVISE",
    "SHARE",
    "SUBMIT",
    "TRANSITIONS",
    "VALIDATE",
    "WITHDRAW",
    "ContentChanged",
    "InvalidTransition",
    "NotEditable",
    "SignOffDetails",
    "Transition",
    "apply",
    "assert_editable",
    "available",
    "bump_revision",
    "ensure_ready_for_validation",
    "record_sign_off",
    "send_back_after_framework_change",
]

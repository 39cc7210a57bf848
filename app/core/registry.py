"""Which actions exist, who may send them, and which exercise kind handles each.

Adding an exercise kind: write its module in ``app/core/kinds/``, add its ``KIND`` to
``KINDS`` and its state to :class:`Activities`. Nothing else in the engine changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, TypeAdapter

from app.core import actions as engine
from app.core.actions import Action
from app.core.kinds import comments, crowdsource, diamond, form, gallery, lists, recap, roles, wordcloud
from app.core.kinds.base import Kind, KindAction
from app.core.kinds.comments import State as CommentsState
from app.core.kinds.crowdsource import State as CrowdsourceState
from app.core.kinds.diamond import State as DiamondState
from app.core.kinds.form import State as FormState
from app.core.kinds.gallery import State as GalleryState
from app.core.kinds.lists import State as ListsState
from app.core.kinds.recap import State as RecapState
from app.core.kinds.roles import State as RolesState
from app.core.kinds.wordcloud import State as WordcloudState

KINDS: tuple[Kind[Any], ...] = (
    comments.KIND,
    roles.KIND,
    wordcloud.KIND,
    diamond.KIND,
    gallery.KIND,
    lists.KIND,
    form.KIND,
    crowdsource.KIND,
    recap.KIND,
)


@dataclass(frozen=True, slots=True)
class Activities:
    """The state of every kind one exercise uses (None: not used or not started yet)."""

    comments: CommentsState | None = None
    roles: RolesState | None = None
    diamond: DiamondState | None = None
    gallery: GalleryState | None = None
    wordcloud: WordcloudState | None = None
    lists: ListsState | None = None
    form: FormState | None = None
    crowdsource: CrowdsourceState | None = None
    recap: RecapState | None = None


KIND_BY_ACTION: dict[str, Kind[Any]] = {
    action.model_fields["type"].default: kind
    for kind in KINDS
    for action in (*kind.participant_actions, *kind.facilitator_actions)
}

_kind_participant = [a for k in KINDS for a in k.participant_actions]
_kind_facilitator = [a for k in KINDS for a in k.facilitator_actions]
_engine_participant = list(engine.ParticipantAction.__args__)
_engine_facilitator = list(engine.FacilitatorAction.__args__)


def _types(models: list[type[Action]]) -> frozenset[str]:
    return frozenset(m.model_fields["type"].default for m in models)


PARTICIPANT_ACTIONS = _types([*_engine_participant, *_kind_participant])
FACILITATOR_ACTIONS = _types([*_engine_facilitator, *_kind_facilitator])
ALL_ACTION_TYPES = PARTICIPANT_ACTIONS | FACILITATOR_ACTIONS | {"join"}

_all_models: tuple[type[Action], ...] = (
    *_engine_participant,
    *_engine_facilitator,
    engine.Join,
    engine.LinkWorkbook,
    engine.AddPhone,
    engine.ForgetAnswers,
    *_kind_participant,
    *_kind_facilitator,
)
if TYPE_CHECKING:
    AnyAction = Action
else:
    AnyAction = Annotated[Union[_all_models], Field(discriminator="type")]  # noqa: UP007
ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(AnyAction)

__all__ = [
    "ACTION_ADAPTER",
    "ALL_ACTION_TYPES",
    "FACILITATOR_ACTIONS",
    "KINDS",
    "KIND_BY_ACTION",
    "PARTICIPANT_ACTIONS",
    "Activities",
    "AnyAction",
    "KindAction",
]

"""The API contract: every request and response body of /api/v1, as pydantic models.

OpenAPI is generated from this module; `python -m chainrule.contract` writes it to the
snapshot the tests hold it to and to the frontend's JSDoc typedefs (`frontend/js/core/contract.js`).
Grouped by direction: `*Request` comes in, `*Out` goes out.
"""

from __future__ import annotations

import keyword
import re
from copy import copy
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)
from typing_extensions import TypeAliasType

from chainrule.content.examples import Example
from chainrule.content.lessons import Lesson, Pause, Question, Variant
from chainrule.settings import (
    MAX_INT_MAGNITUDE,
    MAX_SOURCE_CHARS,
    MAX_VARIABLES,
    ROOM_MAX_OPTIONS,
    ROOM_QUESTION_ID_CHARS,
    ROOM_TEXT_CHARS,
)

# A number in a response: finite floats as JSON numbers, non-finite ones as strings.
Number = float | int | bool | Literal["nan", "inf", "-inf"]
# A tensor's data: a number for 0-d tensors, nested lists otherwise.
NestedData = TypeAliasType(
    "NestedData", Union[Number, list["NestedData"]]  # noqa: UP007
)


# An integer in a request: within the language's integer limit. A larger one is read as a
# float (torch makes a float32 tensor of it either way); one too large even for a float
# is refused, never handed to torch.
BoundedInt = Annotated[int, Field(ge=-MAX_INT_MAGNITUDE, le=MAX_INT_MAGNITUDE)]

# A number or nested list of numbers in a request.
NestedInput = TypeAliasType(
    "NestedInput", Union[float, BoundedInt, bool, list["NestedInput"]]  # noqa: UP007
)


class Strict(BaseModel):
    """Request models refuse unknown fields, coercions and non-finite numbers."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


_ALLOWED_CONTROLS = frozenset("\t\n\r")
_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_text(text: str) -> str:
    """Refuse lone surrogates and control characters (other than tab and newlines)."""
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("text must not contain lone surrogates")
        if (code < 0x20 or 0x7F <= code < 0xA0) and ch not in _ALLOWED_CONTROLS:
            raise ValueError("text must not contain control characters")
    return text


def check_variable_names(value: dict[str, VariableIn]) -> dict[str, VariableIn]:
    """Refuse variable names that are not plain Python names, without echoing them."""
    for name in value:
        if len(name) > 100:
            raise ValueError("variable names are limited to 100 characters")
        if not _VARIABLE_NAME.fullmatch(name) or keyword.iskeyword(name):
            # Said without the name: an error never echoes the input back.
            raise ValueError("a variable name must be letters, digits and _, start with a "
                             "letter, and not be a Python keyword")
    return value


# --- requests -------------------------------------------------------------------------


class VariableIn(Strict):
    """A pre-bound input for a single expression."""

    value: float | BoundedInt | bool | list[NestedInput] = Field(
        description="A number or nested list of numbers; becomes a tensor.",
        examples=[1.0, [1.4]],
    )
    requires_grad: bool = Field(default=False, description="Make it a leaf that collects .grad.")


class TraceRequest(Strict):
    """A program (or a single expression) to run and trace."""

    source: str = Field(
        max_length=MAX_SOURCE_CHARS,
        description="A program in chainrule's Python subset, or a single expression.",
    )
    variables: dict[str, VariableIn] = Field(
        default_factory=dict,
        max_length=MAX_VARIABLES,
        description="Inputs pre-bound by name, for single expressions.",
    )
    output: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Name of the tensor whose graph to show. Default: the tensor whose .backward() "
            "ran last; else the last tensor assigned; for an expression, its value."
        ),
    )
    check: bool = Field(
        default=False,
        description="Also check every leaf's gradient against central finite differences "
        "in float64 (the graph's own ops replayed with each element nudged by ±h).",
    )

    call: int | None = Field(
        default=None, ge=0, le=1_000_000,
        description="Which call of backward() (or autograd.grad) to show, 0-based, when the "
        "program calls it more than once (a training loop): that call's graph and steps. "
        "Default: the one `output`'s rule picks (the last).")

    @field_validator("source", "output")
    @classmethod
    def _clean_text(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("variables")
    @classmethod
    def _clean_names(cls, value: dict[str, VariableIn]) -> dict[str, VariableIn]:
        return check_variable_names(value)

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {
                    "source": (
                        "import torch\n"
                        "w = torch.tensor(1.0, requires_grad=True)\n"
                        "b = torch.tensor(0.5, requires_grad=True)\n"
                        "x = torch.tensor([1.4])\n"
                        "y = torch.tensor([2.1])\n"
                        "z = torch.add(torch.mul(w, x), b)  # forward pass\n"
                        "loss = (y-z).pow(2).sum()\n"
                        "loss.backward()\n"
                        "print('dL/dw : ', w.grad)\n"
                        "print('dL/db : ', b.grad)\n"
                    )
                },
                {
                    "source": "(w * x + b).sum()",
                    "variables": {
                        "w": {"value": 1.0, "requires_grad": True},
                        "x": {"value": [1.4]},
                        "b": {"value": 0.5, "requires_grad": True},
                    },
                },
            ]
        },
    )


# --- responses ------------------------------------------------------------------------


class Out(BaseModel):
    """A response shape: a field the server writes that is not declared here is an error
    (the tests validate every response they make against these models)."""

    model_config = ConfigDict(extra="forbid")



class HistogramOut(Out):
    """torch.histc's 16 bins over a large tensor's finite elements, between their min and
    max."""

    min: float
    max: float
    counts: list[int]


class SummaryOut(Out):
    """Statistics of a tensor's elements (strings for non-finite values); mean and std are
    computed in float64, std with Bessel's correction."""

    min: Number | None
    max: Number | None
    mean: Number | None
    std: Number | None
    histogram: HistogramOut | None = Field(
        default=None, description="Present when `data` is null (the tensor is not listed).")


class TensorOut(Out):
    """A tensor as JSON: always its shape, dtype and summary; its data when small."""

    shape: list[int]
    dtype: str = Field(examples=["float32"])
    data: NestedData | None = Field(
        description="The values (a number for a 0-d tensor, nested lists otherwise); "
        "null when the tensor has more elements than the response lists."
    )
    summary: SummaryOut


class SpanOut(Out):
    """Where in the source a node was made: 1-based lines, 0-based columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int


class NodeOutputOut(Out):
    """One result of an op that produced several (unbind, split, max with dim, topk)."""

    output: int = Field(description="Its position among the op's results; edges reading it "
                        "say the same number in `output`.")
    name: str | None = Field(description="The variable bound to this result, or null.")
    value: TensorOut = Field(description="Its value, as the op produced it.")
    grad: TensorOut | None = Field(
        description="d output / d this result, as it arrived in the last backward phase; "
        "null where none flowed.")
    differentiable: bool = Field(
        description="False for a result no gradient can reach (the indices of torch.max).")
    grad_parts: list[int] = Field(
        description="When it feeds several ops: the indices of its out-edges, whose "
        "gradients add up to its gradient.")


class NodeOut(Out):
    """One node of the autograd graph."""

    id: str = Field(examples=["n0"], description="Stable id, assigned in graph order.")
    kind: Literal["op", "leaf", "constant"]
    op: str | None = Field(
        description="grad_fn class name as torch names it; AccumulateGrad for leaves; "
        "null for constants.",
        examples=["MulBackward0"],
    )
    label: str = Field(description="A short friendly label, such as × for MulBackward0.")
    meaning: str | None = Field(description="What the op computes, in plain English.")
    name: str | None = Field(
        description="The variable bound to this tensor, or a parameter's qualified name."
    )
    shown: str = Field(
        examples=["w*x"],
        description="The name the node is shown by in formulas and cards: its `name`; else "
        "the expression it came from when short, written from its inputs' names (w*x, "
        "(y-z)**2) or as the source has it (2 * x); else t1, t2, … in forward order. Never "
        "one of the program's own names; no two nodes share one.")
    value: TensorOut | None = Field(
        description="Forward value of the tensor this node produced, copied when the op ran. "
        "A leaf's or constant's value is the one the graph's ops read (at the first op of "
        "the graph that read it), even if the program changed it later."
    )
    grad: TensorOut | None = Field(
        description="d output / d this node's tensor, copied when autograd delivered it in "
        "the last backward phase (for an input of torch.autograd.grad: the gradient the call "
        "returned); null where no gradient flows."
    )
    span: SpanOut | None = Field(description="The source expression that created the tensor.")
    module: str | None = Field(
        description="Qualified name of the module the op ran inside (model.0), or null."
    )
    formula: str | None = Field(description="What the op computes, in LaTeX (y = a · b).")
    numbers: dict[str, Number] = Field(
        description="Numbers the program wrote as the op's operands, by the letter its "
        "formulas write them as: for `b * 5`, {\"b\": 5} (b here is the formula's letter, "
        "not the program's variable).")
    saved: dict[str, TensorOut | Number | list[int] | str | None] = Field(
        description="The grad_fn's saved values (_saved_* without the prefix), as captured "
        "during the backward pass."
    )
    grad_parts: list[int] = Field(
        description="When the tensor feeds several ops: the indices of its out-edges, whose "
        "gradients add up to this node's gradient."
    )
    outputs: list[NodeOutputOut] = Field(
        description="For an op that produced several tensors: each one the program used (read "
        "by an edge, bound to a name, or differentiated). value, grad, name and grad_parts "
        "above are then those of output 0. Empty for other nodes."
    )


class EdgeOut(Out):
    """A data-flow edge: the tensor of `source` is argument `input` of op `target`."""

    source: str
    target: str
    input: int = Field(description="Position of this input among the target's inputs.")
    output: int = Field(
        description="Which output of the source it reads, for ops with several (unbind, "
        "split): the `output` of one of the source's `outputs`; 0 otherwise."
    )
    grad: TensorOut | None = Field(
        description="What flows back along this edge: d output / d source, from this path "
        "(the vector-Jacobian product torch computed)."
    )
    local: TensorOut | None = Field(
        description="The local derivative d target / d source, when the target's tensor has "
        "one element; null otherwise."
    )
    formula: str | None = Field(description="The local derivative in LaTeX (b for a·b by a).")
    symbol: str | None = Field(
        description="The letter the target's formulas (its `formula` and its edges') write "
        "this input as (a, b, A, c), for the page to write the input's shown name in its "
        "place; null when the op has no formula.")


class ModuleOut(Out):
    """A module of a named model: clusters and collapsing in the graph."""

    name: str = Field(examples=["model.0"])
    type: str = Field(examples=["Linear"])
    parent: str | None


class PhaseOut(Out):
    """One backward() (or autograd.grad) call that ran through the graph."""

    index: int
    output: str | None = Field(description="Id of the node it differentiated.")
    span: SpanOut | None = Field(description="The backward() call in the source.")
    seed: TensorOut | None = Field(description="The `gradient` argument, when one was given.")
    call: Literal["backward", "autograd.grad"] = Field(
        description="backward() stores gradients in .grad; torch.autograd.grad returns them.")


class ForwardStepOut(Out):
    """The teaching order: a node computed, in topological generations."""

    node: str
    generation: int = Field(description="0 for inputs; one past the op's latest input.")
    edges: list[int] = Field(description="Indices of the edges the node reads.")


class StepOutputOut(Out):
    """The gradient arriving at one output of a node with several."""

    output: int
    grad: TensorOut | None


class BackwardStepOut(Out):
    """The order autograd ran: a node receives its gradient and sends it on."""

    phase: int
    node: str
    grad: TensorOut | None = Field(
        description="d output / d this node's tensor (output 0), as autograd delivered it.")
    edges: list[int] = Field(description="Indices of its input edges.")
    sends: list[TensorOut | None] = Field(description="What flows back along each edge.")
    accumulated: TensorOut | None = Field(
        description="A leaf's .grad after this step, copied then.")
    returned: bool = Field(
        description="The gradient arriving here was returned by torch.autograd.grad (this "
        "node's tensor was one of its inputs), not stored in .grad.")
    outputs: list[StepOutputOut] = Field(
        description="For a node listing several outputs: the gradient arriving at each.")


class StepsOut(Out):
    """Forward steps (teaching order) and backward steps (autograd's real order)."""

    forward: list[ForwardStepOut]
    backward: list[BackwardStepOut]


class VariableOut(Out):
    """A tensor bound to a name when the program ends."""

    value: TensorOut
    grad: TensorOut | None = Field(description=".grad as torch holds it at the end.")
    requires_grad: bool
    shape: list[int]


class LeafCheckOut(Out):
    """One leaf's gradient beside its finite-difference estimate."""

    node: str
    name: str | None
    elements: int = Field(description="Elements in the leaf; the first ones are checked.")
    indices: list[list[int]] = Field(
        description="Each checked element's index in the leaf, in the order of `analytic` "
        "and `numeric` ([3, 1] for row 3, column 1; [] for a 0-d leaf).")
    analytic: list[Number] = Field(description="autograd's gradient, as float64.")
    numeric: list[Number] = Field(description="(f(x + h) - f(x - h)) / 2h, in float64.")
    rel_errors: list[Number] = Field(
        description="Per checked element: |analytic - numeric| / max(|a|, |n|, 1e-8).")
    max_rel_error: Number = Field(description="max |analytic - numeric| / max(|a|, |n|).")


class CheckOut(Out):
    """The gradient check, when the request asked for it."""

    step: float = Field(description="h, the finite-difference step.")
    error: str | None = Field(description="Why the check could not be made, if it could not.")
    leaves: list[LeafCheckOut]


class TrainingSeriesOut(Out):
    """One leaf over the calls of backward() (a parameter, or a leaf the program made)."""

    name: str = Field(description="The leaf's name, as in `variables` (`model.0.weight`).")
    module: str | None = Field(description="The module holding it, if a parameter.")
    grad_norm: list[float | None] = Field(description="Per call (as `iterations`): the L2 "
                                          "norm of .grad after the call; null where the call "
                                          "did not reach the leaf or the value was not finite.")
    grad_mean: list[float | None]
    grad_max: list[float | None] = Field(description="Per call: max |.grad|.")
    zero_fraction: list[float | None] = Field(description="Per call: the fraction of .grad's "
                                              "elements exactly 0.")
    norm: list[float | None] = Field(description="Per call: the leaf's own L2 norm then.")
    update: list[float | None] = Field(description="Per call: how far the leaf moved before "
                                       "the next call reached it (or the program ended): "
                                       "the L2 norm of the change (an optimizer's step, a "
                                       "manual update); 0 when nothing changed it.")
    dead_units: int = Field(description="Rows (units) whose gradient was exactly 0 for the "
                            "last 20 calls.")
    units: int = Field(description="Rows (units) of the leaf: its first dimension.")


class DiagnosisOut(Out):
    """What the records say, in words."""

    kind: Literal["dead_units", "vanishing", "exploding", "non_finite", "loss_rising"]
    message: str
    leaves: list[str] = Field(description="The leaves (by name) it is about.")
    call: int | None = Field(description="The call of backward it points at (0-based).")


class TrainingOut(Out):
    """Every backward() / autograd.grad call of the program, lightly: the loss, and each
    leaf's gradient and update sizes. At most 1,000 calls are listed, evenly spaced with the
    last one in; the diagnoses read every call."""

    calls: int = Field(description="How many calls of backward() and autograd.grad ran.")
    iterations: list[int] = Field(description="Which calls the lists hold (0-based).")
    loss: list[float | None] = Field(description="Per call: the value differentiated (its "
                                     "L2 norm when not a single element).")
    series: list[TrainingSeriesOut]
    diagnoses: list[DiagnosisOut]
    shown_call: int | None = Field(description="The call whose graph and steps this response "
                                   "shows (the request's `call`, else the last).")


class TraceOut(Out):
    """The traced graph of a program: nodes, edges, variables and printed output."""

    nodes: list[NodeOut]
    edges: list[EdgeOut]
    output: str | None = Field(description="Id of the differentiated (or shown) node; null "
                               "when the program made no tensor (the graph is empty).")
    variables: dict[str, VariableOut]
    stdout: str
    notes: list[str] = Field(description="What the program asked for that chainrule does "
                             "not carry out, said once each (plots are not drawn).")
    modules: list[ModuleOut]
    phases: list[PhaseOut]
    steps: StepsOut
    check: CheckOut | None = Field(description="The gradient check, when asked for.")
    training: TrainingOut | None = Field(
        default=None, description="Every call of backward(), lightly (present when the "
        "program called backward() or autograd.grad at least once).")


class ErrorDetail(Out):
    """What went wrong, and where in the source when that applies."""

    code: str = Field(examples=["syntax_error", "not_allowed", "torch_error"])
    message: str = Field(examples=["W @ x: 3×4 and 5×2 cannot be multiplied"])
    line: int | None = None
    col: int | None = None
    # Each of the following is present only when known; a client may ignore them all.
    torch_message: str | None = Field(
        default=None,
        description="torch's own message, when `message` says it in other words (a shape "
        "error names the expression and its operands' shapes).",
        examples=["mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)"])
    names: list[str] | None = Field(
        default=None,
        description="unknown_name: every name the program reads and never binds, in source "
        "order (for a single expression: the variables it needs).", examples=[["w", "x", "b"]])
    stdout: str | None = Field(
        default=None, description="What the program printed before it stopped, if anything.")
    partial: TraceOut | None = Field(
        default=None,
        description="Where the program ran partway: the graph of the last tensor it assigned "
        "before the error that an op autograd recorded made, shaped as a successful trace, "
        "with forward values only (no backward phases, no gradients).")


class ErrorOut(Out):
    """Every 4xx and 5xx response has this body."""

    error: ErrorDetail


class HealthOut(Out):
    """The service is up."""

    status: Literal["ok"]


# --- API v2: each distinct tensor once, in a table ----------------------------------------
#
# v2's response is v1's with every tensor written once, in `tensors`, and referred to by
# its index there: a gradient that reaches a thousand nodes, or one tensor listed by each of
# five backward() calls, costs one payload. The v2 models are made from the v1 models
# above, so the two can never disagree about anything but the tensors' place.

TensorRef = Annotated[int, Field(ge=0)]


class TensorLink(Out):
    """A tensor among values of other kinds (a grad_fn's saved values): its index in the
    response's `tensors`."""

    tensor: int = Field(ge=0, description="Its index in the response's `tensors`.")


_V2_MODELS: dict[type[BaseModel], type[BaseModel]] = {}


def _holds_tensors(kind: Any) -> bool:
    if kind is TensorOut:
        return True
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return any(_holds_tensors(f.annotation) for f in kind.model_fields.values())
    return any(_holds_tensors(a) for a in get_args(kind))


def _by_reference(kind: Any) -> Any:
    """`kind` with TensorOut replaced by a TensorRef (by a TensorLink where an int would be
    read as a number), and each model holding tensors by its v2 twin."""
    if kind is TensorOut:
        return TensorRef
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _v2(kind) if _holds_tensors(kind) else kind
    args = get_args(kind)
    if not args:
        return kind
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        numbers = int in args
        return Union[tuple(TensorLink if a is TensorOut and numbers else _by_reference(a)  # noqa: UP007
                           for a in args)]
    return origin[tuple(_by_reference(a) for a in args)]


def _v2(model: type[BaseModel]) -> type[BaseModel]:
    """The v2 twin of a v1 response model: the same fields, descriptions and name + V2,
    tensors by reference."""
    if model not in _V2_MODELS:
        fields: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            twin = copy(info)
            twin.annotation = _by_reference(info.annotation)
            fields[name] = (twin.annotation, twin)
        _V2_MODELS[model] = create_model(f"{model.__name__}V2", __base__=Out,
                                         __doc__=model.__doc__, **fields)
    return _V2_MODELS[model]


_TRACE_V2 = _v2(TraceOut)


class TraceOutV2(_TRACE_V2):  # type: ignore[valid-type]
    """The traced graph of a program (API v2): as v1's TraceOut, with every distinct tensor
    written once in `tensors` and referred to everywhere else by its index there."""

    tensors: list[TensorOut] = Field(
        description="Every distinct tensor of the response, once; the other fields refer to "
        "one by its index here (a TensorLink {\"tensor\": i} among a node's saved values).")


class ErrorDetailV2(_v2(ErrorDetail)):
    """What went wrong (API v2): as v1's ErrorDetail, with a partial graph in v2's form."""

    partial: TraceOutV2 | None = Field(
        default=None, description=ErrorDetail.model_fields["partial"].description)


class ErrorOutV2(Out):
    """Every 4xx and 5xx response of /api/v2 has this body."""

    error: ErrorDetailV2


# The examples and lessons are written once, as the content's own dataclasses; pydantic
# reads their fields, descriptions and config (extra fields forbidden) from there.
ExampleOut = Example
PauseOut = Pause
QuestionOut = Question
VariantOut = Variant
LessonOut = Lesson


# --- classroom rooms (api/rooms.py; docs/api.md, "Classroom rooms") ------------------------

ROOM_ID_PATTERN = rf"^[A-Za-z0-9_.:-]{{1,{ROOM_QUESTION_ID_CHARS}}}$"
ROOM_STUDENT_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"  # base64url id "." signature
RoomText = Annotated[str, Field(max_length=ROOM_TEXT_CHARS)]


class RoomQuestionRequest(Strict):
    """The question the teacher's page has open (a predict pause, a lesson's question): what
    students may answer, never its answer."""

    id: str = Field(pattern=ROOM_ID_PATTERN, description="The question's id, chosen by the "
                    "teacher's page; answers name it.", examples=["lesson-3:pause-1"])
    prompt: RoomText = Field(description="The question as students read it.")
    kind: Literal["number", "choice"]
    options: list[RoomText] = Field(
        default_factory=list, max_length=ROOM_MAX_OPTIONS,
        description="A choice question's options (two or more); none for a number.")

    @field_validator("prompt", "options")
    @classmethod
    def _clean(cls, value: str | list[str]) -> str | list[str]:
        for text in [value] if isinstance(value, str) else value:
            check_text(text)
        return value

    @model_validator(mode="after")
    def _options_fit_kind(self) -> RoomQuestionRequest:
        if self.kind == "choice" and len(set(self.options)) < 2:
            raise ValueError("a choice question needs two or more different options")
        if self.kind == "number" and self.options:
            raise ValueError("a number question has no options")
        return self


class RoomStateRequest(Strict):
    """What the teacher's page shows, for students' pages to follow: the program, the
    lesson, the step, and the question open at it."""

    source: str = Field(max_length=MAX_SOURCE_CHARS, description="The program, as traced.")
    variables: dict[str, VariableIn] = Field(
        default_factory=dict, max_length=MAX_VARIABLES,
        description="Its pre-bound inputs, as in a TraceRequest.")
    lesson: str | None = Field(default=None, pattern=ROOM_ID_PATTERN,
                               description="The open lesson's id, or null.")
    call: int | None = Field(default=None, ge=0, le=1_000_000,
                             description="The call of backward() shown, as a TraceRequest's "
                             "`call`; null: the last.")
    run: str | None = Field(default=None, pattern=ROOM_ID_PATTERN,
                            description="The teacher's run of the program, chosen by the "
                            "teacher's page: a program run again asks its questions again.")
    step: int = Field(default=0, ge=0, le=1_000_000,
                      description="The timeline position the teacher is at.")
    mode: Literal["forward", "backward", "done"] = Field(
        default="forward", description="Which part of the timeline `step` is in.")
    predict: bool = Field(default=False, description="Predict mode is on: each step's "
                          "number stays concealed until the class has answered it.")
    question: RoomQuestionRequest | None = Field(
        default=None, description="The question open at this step, or null.")
    revealed: bool = Field(default=False, description="The teacher revealed the answer: "
                           "the question takes no more answers.")

    @field_validator("source")
    @classmethod
    def _clean_source(cls, value: str) -> str:
        return check_text(value)

    @field_validator("variables")
    @classmethod
    def _clean_names(cls, value: dict[str, VariableIn]) -> dict[str, VariableIn]:
        return check_variable_names(value)


class RoomAnswerRequest(Strict):
    """A student's answer to the open question."""

    student: str = Field(max_length=100, pattern=ROOM_STUDENT_PATTERN,
                         description="The token POST /api/v2/rooms/{code}/students gave "
                         "this student.")
    question: str = Field(pattern=ROOM_ID_PATTERN, description="The open question's id.")
    value: float | RoomText = Field(description="A number, or one of a choice question's "
                                    "options.")


class RoomCreatedOut(Out):
    """A new room. `teacher_secret` is shown this once: keep it in the teacher's browser."""

    code: str = Field(description="The room's code: 10 symbols of Crockford's base32.",
                      examples=["7QK3M9TBXD"])
    teacher_secret: str = Field(description="Send as `Authorization: Bearer <secret>` to "
                                "publish, read answers and end the room.")
    expires_in_s: float = Field(description="Seconds the room lives without a new state "
                                "(shorter before the first).")
    path: str = Field(description="The students' page: /r/<code>.", examples=["/r/7QK3M9TBXD"])


class RoomVariableOut(Out):
    """A pre-bound input of the teacher's program, as the teacher sent it."""

    value: NestedData
    requires_grad: bool


class RoomQuestionOut(Out):
    """The question open at the teacher's step, as the teacher sent it (no answer)."""

    id: str
    prompt: str
    kind: Literal["number", "choice"]
    options: list[str]


class RoomShownOut(Out):
    """What the teacher's page shows: a RoomStateRequest as the teacher sent it."""

    source: str
    variables: dict[str, RoomVariableOut]
    lesson: str | None
    call: int | None
    run: str | None
    step: int
    mode: Literal["forward", "backward", "done"]
    predict: bool
    question: RoomQuestionOut | None
    revealed: bool


class RoomStateOut(Out):
    """A room's current state, as the teacher published it, numbered by the server."""

    code: str
    seq: int = Field(ge=0, description="1 for the teacher's first state, one more for "
                     "each after; 0 (and `state` null) before the first.")
    state: RoomShownOut | None


class RoomPublishedOut(Out):
    """The state was stored and sent to every listener."""

    seq: int = Field(ge=1, description="The number the server gave it.")


class RoomStudentOut(Out):
    """An anonymous student token: one answer per question per token."""

    student: str


class RoomBinOut(Out):
    """Answers from `low` up to `high` (the last bin includes `high`)."""

    low: float
    high: float
    count: int


class RoomChoiceOut(Out):
    """How many students picked `option`."""

    option: str
    count: int


class RoomAnswersOut(Out):
    """The answers to the state's question, counted: never who answered what."""

    question: str | None = Field(description="The question's id; null when the state has "
                                 "none (then everything else is empty).")
    kind: Literal["number", "choice"] | None
    count: int = Field(description="Students who answered.")
    bins: list[RoomBinOut] = Field(description="A number question's histogram: 10 equal "
                                   "bins from the smallest answer to the largest (one when "
                                   "all are equal).")
    choices: list[RoomChoiceOut] = Field(description="A choice question's count per option, "
                                         "in the question's order.")
    right: int | None = Field(description="Answers that are right, when the request said "
                              "what is (`expected` or `expected_option`); else null.")
    wrong: int | None = Field(description="`count` less `right`, or null.")

from . import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateLeadRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: LeadCreate
    def __init__(self, body: _Optional[_Union[LeadCreate, _Mapping]] = ...) -> None: ...

class ListLeadsRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "status", "source", "owner_id", "team", "tag", "created_from", "created_to", "score_min", "score_max", "rating", "q", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TO_FIELD_NUMBER: _ClassVar[int]
    SCORE_MIN_FIELD_NUMBER: _ClassVar[int]
    SCORE_MAX_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    status: str
    source: str
    owner_id: str
    team: str
    tag: str
    created_from: str
    created_to: str
    score_min: int
    score_max: int
    rating: str
    q: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ..., source: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., tag: _Optional[str] = ..., created_from: _Optional[str] = ..., created_to: _Optional[str] = ..., score_min: _Optional[int] = ..., score_max: _Optional[int] = ..., rating: _Optional[str] = ..., q: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class LeadPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[LeadOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[LeadOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class UpdateLeadRequest(_message.Message):
    __slots__ = ("lead_id", "body", "update_mask")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    body: LeadUpdatePatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, lead_id: _Optional[str] = ..., body: _Optional[_Union[LeadUpdatePatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class MergeLeadsRequest(_message.Message):
    __slots__ = ("lead_id", "body")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    body: Merge
    def __init__(self, lead_id: _Optional[str] = ..., body: _Optional[_Union[Merge, _Mapping]] = ...) -> None: ...

class ContactLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class QualifyLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class DisqualifyLeadRequest(_message.Message):
    __slots__ = ("lead_id", "body")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    body: Disqualify
    def __init__(self, lead_id: _Optional[str] = ..., body: _Optional[_Union[Disqualify, _Mapping]] = ...) -> None: ...

class RecycleLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class ConvertLeadRequest(_message.Message):
    __slots__ = ("lead_id", "body")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    body: ConvertRequest
    def __init__(self, lead_id: _Optional[str] = ..., body: _Optional[_Union[ConvertRequest, _Mapping]] = ...) -> None: ...

class AssignLeadRequest(_message.Message):
    __slots__ = ("lead_id", "body")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    body: Assign
    def __init__(self, lead_id: _Optional[str] = ..., body: _Optional[_Union[Assign, _Mapping]] = ...) -> None: ...

class LeadAssignmentsRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class LeadAssignmentList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[LeadAssignmentOut]
    def __init__(self, items: _Optional[_Iterable[_Union[LeadAssignmentOut, _Mapping]]] = ...) -> None: ...

class CreateAssignmentRuleRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: AssignmentRuleIn
    def __init__(self, body: _Optional[_Union[AssignmentRuleIn, _Mapping]] = ...) -> None: ...

class ListAssignmentRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AssignmentRuleList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[AssignmentRuleOut]
    def __init__(self, items: _Optional[_Iterable[_Union[AssignmentRuleOut, _Mapping]]] = ...) -> None: ...

class UpdateAssignmentRuleRequest(_message.Message):
    __slots__ = ("rule_id", "body", "update_mask")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    body: AssignmentRuleInPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, rule_id: _Optional[str] = ..., body: _Optional[_Union[AssignmentRuleInPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class SetTeamMembersRequest(_message.Message):
    __slots__ = ("team", "body")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    team: str
    body: TeamMembers
    def __init__(self, team: _Optional[str] = ..., body: _Optional[_Union[TeamMembers, _Mapping]] = ...) -> None: ...

class GetTeamRequest(_message.Message):
    __slots__ = ("team",)
    TEAM_FIELD_NUMBER: _ClassVar[int]
    team: str
    def __init__(self, team: _Optional[str] = ...) -> None: ...

class GetScoringModelRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetScoringModelRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: ScoringModel
    def __init__(self, body: _Optional[_Union[ScoringModel, _Mapping]] = ...) -> None: ...

class CreateOrganizationRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: OrganizationIn
    def __init__(self, body: _Optional[_Union[OrganizationIn, _Mapping]] = ...) -> None: ...

class ListOrganizationsRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "owner_id", "created_from", "created_to", "archived", "q", "domain", "country", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TO_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    owner_id: str
    created_from: str
    created_to: str
    archived: bool
    q: str
    domain: str
    country: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., owner_id: _Optional[str] = ..., created_from: _Optional[str] = ..., created_to: _Optional[str] = ..., archived: _Optional[bool] = ..., q: _Optional[str] = ..., domain: _Optional[str] = ..., country: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class OrganizationPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[OrganizationOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[OrganizationOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetOrganizationRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    def __init__(self, organization_id: _Optional[str] = ...) -> None: ...

class UpdateOrganizationRequest(_message.Message):
    __slots__ = ("organization_id", "body", "update_mask")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    body: OrganizationInPatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, organization_id: _Optional[str] = ..., body: _Optional[_Union[OrganizationInPatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ArchiveOrganizationRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    def __init__(self, organization_id: _Optional[str] = ...) -> None: ...

class OrganizationContactsRequest(_message.Message):
    __slots__ = ("organization_id", "sort", "limit", "cursor", "owner_id", "created_from", "created_to", "archived", "q", "email", "updated_since")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TO_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    sort: str
    limit: int
    cursor: str
    owner_id: str
    created_from: str
    created_to: str
    archived: bool
    q: str
    email: str
    updated_since: str
    def __init__(self, organization_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., owner_id: _Optional[str] = ..., created_from: _Optional[str] = ..., created_to: _Optional[str] = ..., archived: _Optional[bool] = ..., q: _Optional[str] = ..., email: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class ContactPage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ContactOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[ContactOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class OrganizationLeadsRequest(_message.Message):
    __slots__ = ("organization_id", "sort", "limit", "cursor", "status", "source", "owner_id", "team", "tag", "created_from", "created_to", "score_min", "score_max", "rating", "q", "updated_since")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TO_FIELD_NUMBER: _ClassVar[int]
    SCORE_MIN_FIELD_NUMBER: _ClassVar[int]
    SCORE_MAX_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    sort: str
    limit: int
    cursor: str
    status: str
    source: str
    owner_id: str
    team: str
    tag: str
    created_from: str
    created_to: str
    score_min: int
    score_max: int
    rating: str
    q: str
    updated_since: str
    def __init__(self, organization_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ..., source: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., tag: _Optional[str] = ..., created_from: _Optional[str] = ..., created_to: _Optional[str] = ..., score_min: _Optional[int] = ..., score_max: _Optional[int] = ..., rating: _Optional[str] = ..., q: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class CreateContactRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: ContactIn
    def __init__(self, body: _Optional[_Union[ContactIn, _Mapping]] = ...) -> None: ...

class ListContactsRequest(_message.Message):
    __slots__ = ("sort", "limit", "cursor", "owner_id", "created_from", "created_to", "archived", "q", "email", "organization_id", "updated_since")
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TO_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    sort: str
    limit: int
    cursor: str
    owner_id: str
    created_from: str
    created_to: str
    archived: bool
    q: str
    email: str
    organization_id: str
    updated_since: str
    def __init__(self, sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., owner_id: _Optional[str] = ..., created_from: _Optional[str] = ..., created_to: _Optional[str] = ..., archived: _Optional[bool] = ..., q: _Optional[str] = ..., email: _Optional[str] = ..., organization_id: _Optional[str] = ..., updated_since: _Optional[str] = ...) -> None: ...

class GetContactRequest(_message.Message):
    __slots__ = ("contact_id",)
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    def __init__(self, contact_id: _Optional[str] = ...) -> None: ...

class UpdateContactRequest(_message.Message):
    __slots__ = ("contact_id", "body", "update_mask")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    body: ContactUpdatePatch
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, contact_id: _Optional[str] = ..., body: _Optional[_Union[ContactUpdatePatch, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ArchiveContactRequest(_message.Message):
    __slots__ = ("contact_id",)
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    def __init__(self, contact_id: _Optional[str] = ...) -> None: ...

class LeadHistoryRequest(_message.Message):
    __slots__ = ("lead_id", "sort", "limit", "cursor")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, lead_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class RecordChangePage(_message.Message):
    __slots__ = ("items", "next_cursor")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordChangeOut]
    next_cursor: str
    def __init__(self, items: _Optional[_Iterable[_Union[_common_pb2.RecordChangeOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class OrganizationHistoryRequest(_message.Message):
    __slots__ = ("organization_id", "sort", "limit", "cursor")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, organization_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class ContactHistoryRequest(_message.Message):
    __slots__ = ("contact_id", "sort", "limit", "cursor")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    sort: str
    limit: int
    cursor: str
    def __init__(self, contact_id: _Optional[str] = ..., sort: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class Assign(_message.Message):
    __slots__ = ("owner_id", "reason", "team")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    reason: str
    team: str
    def __init__(self, owner_id: _Optional[str] = ..., reason: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class AssignmentRuleIn(_message.Message):
    __slots__ = ("active", "match_country", "match_source", "match_team", "name", "position", "strategy", "team")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MATCH_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    MATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_TEAM_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    active: bool
    match_country: str
    match_source: str
    match_team: str
    name: str
    position: int
    strategy: str
    team: str
    def __init__(self, active: _Optional[bool] = ..., match_country: _Optional[str] = ..., match_source: _Optional[str] = ..., match_team: _Optional[str] = ..., name: _Optional[str] = ..., position: _Optional[int] = ..., strategy: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class AssignmentRuleInPatch(_message.Message):
    __slots__ = ("active", "match_country", "match_source", "match_team", "name", "position", "strategy", "team")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MATCH_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    MATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_TEAM_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    active: bool
    match_country: str
    match_source: str
    match_team: str
    name: str
    position: int
    strategy: str
    team: str
    def __init__(self, active: _Optional[bool] = ..., match_country: _Optional[str] = ..., match_source: _Optional[str] = ..., match_team: _Optional[str] = ..., name: _Optional[str] = ..., position: _Optional[int] = ..., strategy: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class AssignmentRuleOut(_message.Message):
    __slots__ = ("active", "created_at", "id", "match_country", "match_source", "match_team", "name", "owner_id", "position", "strategy", "team", "updated_at", "version")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MATCH_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    MATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_TEAM_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    active: bool
    created_at: str
    id: str
    match_country: str
    match_source: str
    match_team: str
    name: str
    owner_id: str
    position: int
    strategy: str
    team: str
    updated_at: str
    version: int
    def __init__(self, active: _Optional[bool] = ..., created_at: _Optional[str] = ..., id: _Optional[str] = ..., match_country: _Optional[str] = ..., match_source: _Optional[str] = ..., match_team: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., position: _Optional[int] = ..., strategy: _Optional[str] = ..., team: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ContactChoice(_message.Message):
    __slots__ = ("id", "mode")
    ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    mode: str
    def __init__(self, id: _Optional[str] = ..., mode: _Optional[str] = ...) -> None: ...

class ContactIn(_message.Message):
    __slots__ = ("allow_duplicate", "decision_maker", "email", "first_name", "last_name", "organization_id", "owner_id", "phone", "title")
    ALLOW_DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    DECISION_MAKER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    allow_duplicate: bool
    decision_maker: bool
    email: str
    first_name: str
    last_name: str
    organization_id: str
    owner_id: str
    phone: str
    title: str
    def __init__(self, allow_duplicate: _Optional[bool] = ..., decision_maker: _Optional[bool] = ..., email: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class ContactOut(_message.Message):
    __slots__ = ("archived_at", "created_at", "decision_maker", "email", "first_name", "id", "last_name", "organization_id", "owner_id", "phone", "title", "updated_at", "version")
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_MAKER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    archived_at: str
    created_at: str
    decision_maker: bool
    email: str
    first_name: str
    id: str
    last_name: str
    organization_id: str
    owner_id: str
    phone: str
    title: str
    updated_at: str
    version: int
    def __init__(self, archived_at: _Optional[str] = ..., created_at: _Optional[str] = ..., decision_maker: _Optional[bool] = ..., email: _Optional[str] = ..., first_name: _Optional[str] = ..., id: _Optional[str] = ..., last_name: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., title: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ContactUpdatePatch(_message.Message):
    __slots__ = ("allow_duplicate", "decision_maker", "email", "first_name", "last_name", "organization_id", "owner_id", "phone", "title")
    ALLOW_DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    DECISION_MAKER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    allow_duplicate: bool
    decision_maker: bool
    email: str
    first_name: str
    last_name: str
    organization_id: str
    owner_id: str
    phone: str
    title: str
    def __init__(self, allow_duplicate: _Optional[bool] = ..., decision_maker: _Optional[bool] = ..., email: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., organization_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class ConvertRequest(_message.Message):
    __slots__ = ("contact", "opportunity", "organization", "override_qualification")
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    contact: ContactChoice
    opportunity: OpportunityChoice
    organization: OrganizationChoice
    override_qualification: bool
    def __init__(self, contact: _Optional[_Union[ContactChoice, _Mapping]] = ..., opportunity: _Optional[_Union[OpportunityChoice, _Mapping]] = ..., organization: _Optional[_Union[OrganizationChoice, _Mapping]] = ..., override_qualification: _Optional[bool] = ...) -> None: ...

class Disqualify(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class LeadAssignmentOut(_message.Message):
    __slots__ = ("actor", "at", "from_owner", "reason", "rule_id", "team", "to_owner")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FROM_OWNER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TO_OWNER_FIELD_NUMBER: _ClassVar[int]
    actor: str
    at: str
    from_owner: str
    reason: str
    rule_id: str
    team: str
    to_owner: str
    def __init__(self, actor: _Optional[str] = ..., at: _Optional[str] = ..., from_owner: _Optional[str] = ..., reason: _Optional[str] = ..., rule_id: _Optional[str] = ..., team: _Optional[str] = ..., to_owner: _Optional[str] = ...) -> None: ...

class LeadCreate(_message.Message):
    __slots__ = ("address", "allow_duplicate", "annual_revenue", "annual_revenue_currency", "authority", "budget_amount", "budget_currency", "campaign", "company", "country", "email", "employees", "first_name", "industry", "last_name", "need", "owner_id", "phone", "source", "tags", "team", "timeline", "title", "website")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    BUDGET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BUDGET_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    NEED_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    address: LeadsAddress
    allow_duplicate: bool
    annual_revenue: str
    annual_revenue_currency: str
    authority: bool
    budget_amount: str
    budget_currency: str
    campaign: str
    company: str
    country: str
    email: str
    employees: int
    first_name: str
    industry: str
    last_name: str
    need: str
    owner_id: str
    phone: str
    source: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    team: str
    timeline: str
    title: str
    website: str
    def __init__(self, address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., allow_duplicate: _Optional[bool] = ..., annual_revenue: _Optional[str] = ..., annual_revenue_currency: _Optional[str] = ..., authority: _Optional[bool] = ..., budget_amount: _Optional[str] = ..., budget_currency: _Optional[str] = ..., campaign: _Optional[str] = ..., company: _Optional[str] = ..., country: _Optional[str] = ..., email: _Optional[str] = ..., employees: _Optional[int] = ..., first_name: _Optional[str] = ..., industry: _Optional[str] = ..., last_name: _Optional[str] = ..., need: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., source: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., team: _Optional[str] = ..., timeline: _Optional[str] = ..., title: _Optional[str] = ..., website: _Optional[str] = ...) -> None: ...

class LeadOut(_message.Message):
    __slots__ = ("address", "annual_revenue", "annual_revenue_currency", "authority", "budget_amount", "budget_currency", "campaign", "company", "converted_at", "converted_contact_id", "converted_opportunity_id", "converted_organization_id", "country", "created_at", "disqualify_reason", "email", "employees", "first_name", "id", "industry", "last_name", "merged_into_id", "need", "opportunity_failure", "opportunity_status", "owner_id", "phone", "qualified_at", "rating", "score", "score_factors", "source", "status", "tags", "team", "timeline", "title", "updated_at", "version", "website")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    BUDGET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BUDGET_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_AT_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DISQUALIFY_REASON_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_ID_FIELD_NUMBER: _ClassVar[int]
    NEED_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_FAILURE_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FACTORS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    address: LeadsAddress
    annual_revenue: str
    annual_revenue_currency: str
    authority: bool
    budget_amount: str
    budget_currency: str
    campaign: str
    company: str
    converted_at: str
    converted_contact_id: str
    converted_opportunity_id: str
    converted_organization_id: str
    country: str
    created_at: str
    disqualify_reason: str
    email: str
    employees: int
    first_name: str
    id: str
    industry: str
    last_name: str
    merged_into_id: str
    need: str
    opportunity_failure: _struct_pb2.Struct
    opportunity_status: str
    owner_id: str
    phone: str
    qualified_at: str
    rating: str
    score: int
    score_factors: _containers.RepeatedCompositeFieldContainer[ScoreFactorOut]
    source: str
    status: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    team: str
    timeline: str
    title: str
    updated_at: str
    version: int
    website: str
    def __init__(self, address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., annual_revenue: _Optional[str] = ..., annual_revenue_currency: _Optional[str] = ..., authority: _Optional[bool] = ..., budget_amount: _Optional[str] = ..., budget_currency: _Optional[str] = ..., campaign: _Optional[str] = ..., company: _Optional[str] = ..., converted_at: _Optional[str] = ..., converted_contact_id: _Optional[str] = ..., converted_opportunity_id: _Optional[str] = ..., converted_organization_id: _Optional[str] = ..., country: _Optional[str] = ..., created_at: _Optional[str] = ..., disqualify_reason: _Optional[str] = ..., email: _Optional[str] = ..., employees: _Optional[int] = ..., first_name: _Optional[str] = ..., id: _Optional[str] = ..., industry: _Optional[str] = ..., last_name: _Optional[str] = ..., merged_into_id: _Optional[str] = ..., need: _Optional[str] = ..., opportunity_failure: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., opportunity_status: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., qualified_at: _Optional[str] = ..., rating: _Optional[str] = ..., score: _Optional[int] = ..., score_factors: _Optional[_Iterable[_Union[ScoreFactorOut, _Mapping]]] = ..., source: _Optional[str] = ..., status: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., team: _Optional[str] = ..., timeline: _Optional[str] = ..., title: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ..., website: _Optional[str] = ...) -> None: ...

class LeadUpdatePatch(_message.Message):
    __slots__ = ("address", "allow_duplicate", "annual_revenue", "annual_revenue_currency", "authority", "budget_amount", "budget_currency", "campaign", "company", "country", "email", "employees", "first_name", "industry", "last_name", "need", "owner_id", "phone", "source", "tags", "team", "timeline", "title", "website")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_FIELD_NUMBER: _ClassVar[int]
    ANNUAL_REVENUE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    BUDGET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BUDGET_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    NEED_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    address: LeadsAddress
    allow_duplicate: bool
    annual_revenue: str
    annual_revenue_currency: str
    authority: bool
    budget_amount: str
    budget_currency: str
    campaign: str
    company: str
    country: str
    email: str
    employees: int
    first_name: str
    industry: str
    last_name: str
    need: str
    owner_id: str
    phone: str
    source: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    team: str
    timeline: str
    title: str
    website: str
    def __init__(self, address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., allow_duplicate: _Optional[bool] = ..., annual_revenue: _Optional[str] = ..., annual_revenue_currency: _Optional[str] = ..., authority: _Optional[bool] = ..., budget_amount: _Optional[str] = ..., budget_currency: _Optional[str] = ..., campaign: _Optional[str] = ..., company: _Optional[str] = ..., country: _Optional[str] = ..., email: _Optional[str] = ..., employees: _Optional[int] = ..., first_name: _Optional[str] = ..., industry: _Optional[str] = ..., last_name: _Optional[str] = ..., need: _Optional[str] = ..., owner_id: _Optional[str] = ..., phone: _Optional[str] = ..., source: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., team: _Optional[str] = ..., timeline: _Optional[str] = ..., title: _Optional[str] = ..., website: _Optional[str] = ...) -> None: ...

class LeadsAddress(_message.Message):
    __slots__ = ("city", "postal_code", "region", "street", "country")
    CITY_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    city: str
    postal_code: str
    region: str
    street: str
    country: str
    def __init__(self, city: _Optional[str] = ..., postal_code: _Optional[str] = ..., region: _Optional[str] = ..., street: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Merge(_message.Message):
    __slots__ = ("other_id",)
    OTHER_ID_FIELD_NUMBER: _ClassVar[int]
    other_id: str
    def __init__(self, other_id: _Optional[str] = ...) -> None: ...

class OpportunityChoice(_message.Message):
    __slots__ = ("amount", "currency", "expected_close_date", "mode", "name", "stage")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    amount: str
    currency: str
    expected_close_date: str
    mode: str
    name: str
    stage: str
    def __init__(self, amount: _Optional[str] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[str] = ..., mode: _Optional[str] = ..., name: _Optional[str] = ..., stage: _Optional[str] = ...) -> None: ...

class OrganizationChoice(_message.Message):
    __slots__ = ("id", "mode", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    mode: str
    name: str
    def __init__(self, id: _Optional[str] = ..., mode: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class OrganizationIn(_message.Message):
    __slots__ = ("billing_address", "country", "domain", "employees", "industry", "name", "owner_id", "payment_terms_days", "shipping_address", "vat_id")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    billing_address: LeadsAddress
    country: str
    domain: str
    employees: int
    industry: str
    name: str
    owner_id: str
    payment_terms_days: int
    shipping_address: LeadsAddress
    vat_id: str
    def __init__(self, billing_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., country: _Optional[str] = ..., domain: _Optional[str] = ..., employees: _Optional[int] = ..., industry: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., shipping_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., vat_id: _Optional[str] = ...) -> None: ...

class OrganizationInPatch(_message.Message):
    __slots__ = ("billing_address", "country", "domain", "employees", "industry", "name", "owner_id", "payment_terms_days", "shipping_address", "vat_id")
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    billing_address: LeadsAddress
    country: str
    domain: str
    employees: int
    industry: str
    name: str
    owner_id: str
    payment_terms_days: int
    shipping_address: LeadsAddress
    vat_id: str
    def __init__(self, billing_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., country: _Optional[str] = ..., domain: _Optional[str] = ..., employees: _Optional[int] = ..., industry: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., shipping_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., vat_id: _Optional[str] = ...) -> None: ...

class OrganizationOut(_message.Message):
    __slots__ = ("archived_at", "billing_address", "country", "created_at", "domain", "employees", "id", "industry", "name", "owner_id", "payment_terms_days", "shipping_address", "updated_at", "vat_id", "version")
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    BILLING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TERMS_DAYS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    archived_at: str
    billing_address: LeadsAddress
    country: str
    created_at: str
    domain: str
    employees: int
    id: str
    industry: str
    name: str
    owner_id: str
    payment_terms_days: int
    shipping_address: LeadsAddress
    updated_at: str
    vat_id: str
    version: int
    def __init__(self, archived_at: _Optional[str] = ..., billing_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., country: _Optional[str] = ..., created_at: _Optional[str] = ..., domain: _Optional[str] = ..., employees: _Optional[int] = ..., id: _Optional[str] = ..., industry: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., payment_terms_days: _Optional[int] = ..., shipping_address: _Optional[_Union[LeadsAddress, _Mapping]] = ..., updated_at: _Optional[str] = ..., vat_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ScoreFactorOut(_message.Message):
    __slots__ = ("factor", "points")
    FACTOR_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    factor: str
    points: int
    def __init__(self, factor: _Optional[str] = ..., points: _Optional[int] = ...) -> None: ...

class ScoringCondition(_message.Message):
    __slots__ = ("at_least", "at_most", "equals", "field", "in_", "present", "within_days")
    AT_LEAST_FIELD_NUMBER: _ClassVar[int]
    AT_MOST_FIELD_NUMBER: _ClassVar[int]
    EQUALS_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    IN__FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    WITHIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    at_least: float
    at_most: float
    equals: _struct_pb2.Value
    field: str
    in_: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    present: bool
    within_days: int
    def __init__(self, at_least: _Optional[float] = ..., at_most: _Optional[float] = ..., equals: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., field: _Optional[str] = ..., in_: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., present: _Optional[bool] = ..., within_days: _Optional[int] = ...) -> None: ...

class ScoringConditionOut(_message.Message):
    __slots__ = ("at_least", "at_most", "equals", "field", "in_", "present", "within_days")
    AT_LEAST_FIELD_NUMBER: _ClassVar[int]
    AT_MOST_FIELD_NUMBER: _ClassVar[int]
    EQUALS_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    IN__FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    WITHIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    at_least: str
    at_most: str
    equals: _struct_pb2.Value
    field: str
    in_: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Value]
    present: bool
    within_days: int
    def __init__(self, at_least: _Optional[str] = ..., at_most: _Optional[str] = ..., equals: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., field: _Optional[str] = ..., in_: _Optional[_Iterable[_Union[_struct_pb2.Value, _Mapping]]] = ..., present: _Optional[bool] = ..., within_days: _Optional[int] = ...) -> None: ...

class ScoringModel(_message.Message):
    __slots__ = ("hot_from", "rules", "warm_from")
    HOT_FROM_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    WARM_FROM_FIELD_NUMBER: _ClassVar[int]
    hot_from: int
    rules: _containers.RepeatedCompositeFieldContainer[ScoringRule]
    warm_from: int
    def __init__(self, hot_from: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[ScoringRule, _Mapping]]] = ..., warm_from: _Optional[int] = ...) -> None: ...

class ScoringModelOut(_message.Message):
    __slots__ = ("hot_from", "rules", "version", "warm_from")
    HOT_FROM_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    WARM_FROM_FIELD_NUMBER: _ClassVar[int]
    hot_from: int
    rules: _containers.RepeatedCompositeFieldContainer[ScoringRuleOut]
    version: int
    warm_from: int
    def __init__(self, hot_from: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[ScoringRuleOut, _Mapping]]] = ..., version: _Optional[int] = ..., warm_from: _Optional[int] = ...) -> None: ...

class ScoringRule(_message.Message):
    __slots__ = ("factor", "points", "when")
    FACTOR_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    factor: str
    points: int
    when: ScoringCondition
    def __init__(self, factor: _Optional[str] = ..., points: _Optional[int] = ..., when: _Optional[_Union[ScoringCondition, _Mapping]] = ...) -> None: ...

class ScoringRuleOut(_message.Message):
    __slots__ = ("factor", "points", "when")
    FACTOR_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    factor: str
    points: int
    when: ScoringConditionOut
    def __init__(self, factor: _Optional[str] = ..., points: _Optional[int] = ..., when: _Optional[_Union[ScoringConditionOut, _Mapping]] = ...) -> None: ...

class TeamMembers(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, members: _Optional[_Iterable[str]] = ...) -> None: ...

class TeamOut(_message.Message):
    __slots__ = ("members", "team")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedScalarFieldContainer[str]
    team: str
    def __init__(self, members: _Optional[_Iterable[str]] = ..., team: _Optional[str] = ...) -> None: ...

"""Request bodies and response shapes, as they appear in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zof.api.params import Timestamp

Role = Literal["admin", "qa_lead", "engineer", "viewer"]


class Body(BaseModel):
    """A request body: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _reject_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold U+0000, and no name or label needs it.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("must not contain the NUL character (U+0000)")
        return value


class ErrorDetail(BaseModel):
    type: str
    code: str
    message: str
    param: str | None
    request_id: str | None


class ErrorEnvelope(BaseModel):
    error: ErrorDetail


class ListEnvelope(BaseModel):
    object: Literal["list"]
    has_more: bool
    next_cursor: str | None


# Projects


class ProjectCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ProjectUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class Project(BaseModel):
    id: str
    object: Literal["project"]
    name: str
    description: str | None
    created_at: str
    updated_at: str


class ProjectList(ListEnvelope):
    data: list[Project]


# API keys


class ApiKeyCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    permissions: list[str] | None = Field(
        default=None,
        max_length=32,
        description="Narrows the role to these permissions; each must belong to the role.",
    )
    expires_at: Timestamp | None = None


class ApiKey(BaseModel):
    id: str
    object: Literal["api_key"]
    name: str
    role: Role
    permissions: list[str] | None
    prefix: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class ApiKeyWithSecret(ApiKey):
    secret: str = Field(
        description="The key itself. Returned in this response only, so store it now."
    )


class ApiKeyList(ListEnvelope):
    data: list[ApiKey]

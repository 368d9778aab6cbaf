"""The one exception tree of twenty-gql.

Twenty answers nearly every error with HTTP 200 and ``errors[].extensions.code``/``subCode``,
so errors are classified on those, not on the HTTP status::

    TwentyError                      every error this library raises
    ├── TransportError               no usable HTTP answer: connect, timeout, dropped connection
    │   └── RequestTimeoutError      the request timed out (it may have been executed)
    ├── ProtocolError                an answer that is not GraphQL: non-JSON, HTTP 400
    └── GraphQLError                 the server answered with ``errors``
        ├── AuthenticationError      UNAUTHENTICATED, or the unauthenticated schema ("Cannot query field")
        ├── PermissionDeniedError    FORBIDDEN
        ├── NotFoundError            NOT_FOUND / RECORD_NOT_FOUND
        ├── BadInputError            BAD_USER_INPUT (INVALID_ARGS_DATA, INVALID_QUERY_INPUT, ...)
        │   ├── TooManyRecordsError  TOO_MANY_RECORDS_TO_UPDATE, with ``limit`` parsed from the message
        │   ├── QueryTooComplexError TOO_COMPLEX_QUERY and "Too many root resolvers"
        │   └── ConflictError        UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT, duplicate entry
        ├── RateLimitedError         LIMIT_REACHED, or RATE_LIMITED with ``retry_after``
        ├── MetadataValidationError  METADATA_VALIDATION_FAILED (/metadata)
        └── ServerError              INTERNAL_SERVER_ERROR, HTTP 5xx, the plain-text 500

PROVISIONAL: the class names above are the contract; the async runtime fills in classification.
"""

from __future__ import annotations

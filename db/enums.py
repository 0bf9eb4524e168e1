"""The library's vocabulary as enums: kinds of records, copy statuses, hold and loan states."""

from enum import IntEnum, StrEnum


class RecordKind(StrEnum):
    BOOK = "book"
    TEXTBOOK = "textbook"
    PERIODICAL = "periodical"
    E_RESOURCE = "e_resource"
    STUDENT_WORK = "student_work"


class AccessScope(StrEnum):
    """Who may find a record: everyone; the network; the school it belongs to; the members of
    its project; only its author, their parents and their school's librarians."""

    PUBLIC = "public"
    NETWORK = "network"
    LIBRARY = "library"
    PROJECT = "project"
    PRIVATE = "private"


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD_SHELF = "on_hold_shelf"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    WRITTEN_OFF = "written_off"


class HoldStatus(StrEnum):
    PENDING = "pending"  # ждёт решения библиотекаря
    QUEUED = "queued"  # свободных экземпляров нет, читатель в очереди
    READY = "ready"  # экземпляр на полке заказов до срока
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


ACTIVE_HOLD_STATUSES = (HoldStatus.PENDING, HoldStatus.QUEUED, HoldStatus.READY)


class ApprovalMode(StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


class Messenger(StrEnum):
    TELEGRAM = "telegram"
    VK = "vk"
    MAX = "max"
    CONSOLE = "console"


class RoleName(StrEnum):
    READER = "reader"
    PARENT = "parent"
    LIBRARIAN = "librarian"
    ADMIN = "admin"


class ReaderCategory(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    STAFF = "staff"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries
    SKIPPED = "skipped"  # recipient unreachable


class AuditOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"


AGE_MARKS = (0, 6, 12, 16, 18)


class Priority(IntEnum):
    """Who goes first when a messenger's rate is the limit: the answer to what a person just
    wrote, then due-date and hold notices, then broadcasts. An outbox row keeps its lane in
    `outbox.priority`; transports order their sends by it."""

    REPLY = 0
    NOTICE = 1
    BULK = 2


class FundKind(StrEnum):
    """The statutory breakdown of a school library's fund (ОО-2, section 2.6)."""

    TEXTBOOK = "textbook"  # учебники
    AID = "aid"  # учебные пособия
    FICTION = "fiction"  # художественная литература
    REFERENCE = "reference"  # справочный материал
    OTHER = "other"  # прочее


class Medium(StrEnum):
    PRINT = "print"  # печатные издания
    AUDIOVISUAL = "audiovisual"  # аудиовизуальные документы
    ELECTRONIC = "electronic"  # электронные издания


class ReceiptSource(StrEnum):
    """Where copies came from (the summary register's part 1)."""

    PURCHASE = "purchase"  # закупка
    GIFT = "gift"  # дар
    REPLACEMENT = "replacement"  # взамен утерянных
    TRANSFER = "transfer"  # передача из другой библиотеки
    IMPORT = "import"  # записаны при переносе каталога


class WriteOffReason(StrEnum):
    """Why copies left the fund (the summary register's part 2)."""

    LOST = "lost"  # утеряны читателями
    WORN = "worn"  # ветхость
    OUTDATED = "outdated"  # устарели по содержанию
    TRANSFERRED = "transferred"  # переданы в другую библиотеку

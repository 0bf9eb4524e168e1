"""Every user-facing text, in Russian, in one place. Rendered with messages.i18n.say.

Plural forms: ``{n:книга|книги|книг}``; dates: ``{due:date}`` (local time of the library);
people's names declined and agreeing with their gender: ``{reader:gent}``,
``{reader:m/f:заблокирован|заблокирована}``; all specs are described in messages.i18n.
A title after a preposition gets a noun before it: «заявка на книгу «{title}»».
"""

from db.enums import Messenger
from messages.i18n import Select

# Приветствие и помощь -----------------------------------------------------------------------

WELCOME_GUEST = (
    "Здравствуйте! Я «Формуляр» — школьная библиотека в вашем телефоне.\n\n"
    "Напишите название книги или автора — например, «война и мир» или «гарри поттер», — "
    "и я покажу, в каких школах сети она есть и свободна ли сейчас.\n\n"
    "Чтобы видеть свои книги и сроки возврата, привяжите читательский формуляр: "
    "возьмите код у школьного библиотекаря и пришлите его мне."
)
WELCOME_READER = (
    "Здравствуйте, {name}! Это «Формуляр», ваша школьная библиотека ({library}).\n\n"
    "Напишите название или автора — я найду книгу во всех библиотеках сети. "
    "«Мои книги» — что у вас на руках и до какого числа вернуть."
)
WELCOME_PARENT = (
    "Здравствуйте! Это «Формуляр». Вы привязаны как родитель: {children}.\n\n"
    "«Мои книги» покажет, какие книги у детей и когда их вернуть. "
    "Искать книги по всей сети можно, просто написав название или автора."
)
WELCOME_LIBRARIAN = (
    "Здравствуйте! Это «Формуляр», рабочее место библиотекаря ({library}).\n\n"
    "Поиск по каталогу сети — просто напишите название, автора, ISBN или инвентарный номер."
)
WELCOME_ADMIN = (
    "Здравствуйте! Это «Формуляр», кабинет методиста сети.\n\n"
    "Поиск по сводному каталогу — напишите название или автора."
)
HELP_COMMON = (
    "Что я умею:\n"
    "• найти книгу — напишите название или автора (опечатки и раскладку я прощу);\n"
    "• показать подробности и где есть свободные экземпляры — кнопки 📖 под результатами;\n"
    "• подобрать книги по теме — «фантастика», «что-нибудь про животных», «сказки пушкина»;\n"
    "• посоветовать — «что почитать», «что почитать летом», «что нового», «что популярно»;\n"
    "• рассказать о библиотеке — «когда работает библиотека», «где библиотека», /hours."
)
HELP_READER = (
    "\n\nВаши книги:"
    "\n• «хочу взять …» или 📌 в карточке книги — забронировать её в своей школе;"
    "\n• «мои книги» — что на руках, до какого числа, брони; 🔄 — продлить, ✖ — снять бронь;"
    "\n• «продли книгу» или «продли всё» — продлить; «мои брони», «сколько у меня книг»;"
    "\n• «отмени бронь на …» — снять бронь; /history — история чтения (только если вы её включите);"
    "\n• /ask вопрос — спросить библиотекаря: ответ придёт сюда."
)
HELP_PARENT = (
    "\n\nКниги детей:"
    "\n• «мои книги» — книги и брони ваших детей, сроки возврата; 🔄 — продлить за ребёнка;"
    "\n• /reminders — присылать ли вам копии напоминаний;"
    "\n• /ask вопрос — спросить школьного библиотекаря."
)
HELP_LIBRARIAN = (
    "\n\nБиблиотекарю:"
    "\n• /holds — заявки (✅ одобрить, ❌ отклонить) и полка заказов (📕 выдать);"
    "\n• /issue — выдать (инв. номер, штрихкод или фото штрихкода, затем формуляр, фамилия или класс);"
    "\n• /return — принять книги (присылайте номера подряд);"
    "\n• /reader 1001, /reader Иванова, /reader 7Б — карточка читателя: продлить, выдать, коды, блокировка;"
    "\n• /register Фамилия Имя 7Б — записать читателя; /code 1001 [родитель] — код привязки;"
    "\n• «выдать 7Б комплект: Алгебра 7, Русский язык 7» — комплект учебников классу;"
    "\n• /nocopy 7Б Алгебра 7 — у кого нет учебника; /collect 7Б — принять учебники у класса;"
    "\n• /overdue — должники; /rules — правила выдачи; /block и /unblock — блокировка;"
    "\n• /closed 30.12 санитарный день — день, когда библиотека закрыта (сроки на него не выпадут); /open 30.12 — снять;"
    "\n• /remove 1034 — удалить читателя, выбывшего из школы (личные данные стираются);"
    "\n• /notify — уведомления о новых заявках и ваши тихие часы;"
    "\n• /reminders_setup — напоминания о сроках: «/reminders_setup за 3 дня; в день сдачи да; просрочка 1,7,14; родителям с 2-го шага»;"
    "\n• /broadcast — рассылка всей школе, классу или должникам (и их родителям); /broadcasts — отчёт;"
    "\n• /questions — вопросы читателей (✍️ ответить); /hours и /address — часы работы и адрес;"
    "\n• можно и словами: «новые заявки», «должники 7б», «у кого война и мир», «найди ученика петров»."
)
HELP_GUEST = (
    "\n\nЧтобы видеть свои книги, пришлите код привязки, который выдаёт школьный библиотекарь."
)
# Closes the whole help, after every role's part.
HELP_FOOTER = "\n\n/start — начать сначала, /cancel — отменить начатое, /help — эта справка."

# Привязка по коду ---------------------------------------------------------------------------

LINKED_READER = "Готово! Формуляр № {card} ({library}) привязан. Напишите «мои книги» — покажу, что у вас на руках."
LINKED_PARENT = "Готово! Вы привязаны как родитель {child:given gent} ({library}). «Мои книги» покажет, какие книги у {child:m/f/?:него|неё|ребёнка} на руках и когда их вернуть."
LINKED_LIBRARIAN = "Готово! Вы — библиотекарь: {library}."
LINKED_ADMIN = "Готово! Вы — методист сети."
LINK_REFUSED = {
    "unknown": "Такого кода нет. Проверьте его — в коде 8 латинских букв и цифр — или попросите новый у библиотекаря.",
    "used": "Этот код уже использован. Попросите у библиотекаря новый.",
    "expired": "Срок действия кода истёк. Попросите у библиотекаря новый.",
    "second_card": (
        "Этот аккаунт уже привязан к формуляру № {card} ({library}), а второй формуляр той же "
        "школы к одному аккаунту не привязать. Если формуляр сменился, попросите библиотекаря "
        "отвязать старый — и пришлите код ещё раз."
    ),
    "own_card": "Это код для родителя, а формуляр — ваш собственный. Передайте код родителю: пусть он пришлёт его со своего телефона.",
    "parent_confirm": (
        "Это код для родителя ученика. Сейчас этот аккаунт привязан к вашему читательскому "
        "формуляру. Если вы родитель и пользуетесь этим же аккаунтом, подтвердите — тогда "
        "здесь будут видны и книги ребёнка."
    ),
}
BUTTON_PARENT_CONFIRM = "✅ Да, я родитель"
BUTTON_PARENT_DECLINE = "✖ Нет"
LINK_PARENT_DECLINED = "Хорошо, код не использован. Передайте его родителю."

# Поиск ----------------------------------------------------------------------------------------

SEARCH_HEADER = (
    "{total:Нашлась|Нашлось|Нашлось} {total} {total:запись|записи|записей} по запросу «{query}»:"
)
SEARCH_PAGE = "Страница {page} из {pages}."
SEARCH_NOTHING = (
    "По запросу «{query}» ничего не нашлось. Попробуйте иначе: фамилию автора, "
    "часть названия или ISBN."
)
SEARCH_ONLY_OLDER = (
    "По запросу «{query}» нашлись только книги для читателей постарше — по возрастной "
    "маркировке они вам пока не положены. Спросите библиотекаря, что почитать похожего."
)
SEARCH_ONLY_ADULT = (
    "По запросу «{query}» нашлись только книги с маркировкой 18+. Их я показываю, только когда "
    "знаю, что читателю есть 18: привяжите свой формуляр кодом от школьного библиотекаря."
)
SEARCH_ONLY_ADULT_NO_AGE = (
    "По запросу «{query}» нашлись только книги с маркировкой 18+. Их я показываю, только когда "
    "знаю, что читателю есть 18, а в вашем формуляре нет ни года рождения, ни класса — "
    "попросите библиотекаря дописать."
)
SEARCH_NOTHING_BUT = (
    "По запросу «{query}» ничего не нашлось. Возможно, вы имели в виду «{suggestion}»?"
)
SEARCH_MAYBE = "Возможно, вы имели в виду «{suggestion}»?"
SEARCH_READ_AS = {
    "layout": "(Похоже, была включена английская раскладка — ищу «{text}».)",
    "translit": "(Читаю латиницу по-русски — ищу «{text}».)",
    "latin_layout": "(Похоже, была включена русская раскладка — ищу «{text}».)",
}
BUTTON_SUGGESTION = "🔎 {query}"
COPY_FOUND = "Экземпляр инв. № {inventory}{barcode}: {title}{authors} — {status}"
COPY_BARCODE = " (штрихкод {barcode})"
COPY_ON_LOAN = "На руках: {reader}, {class_name}, формуляр № {card} — вернуть до {due:date}."
COPY_ON_LOAN_OVERDUE = (
    "На руках: {reader}, {class_name}, формуляр № {card} — ⚠️ срок истёк {due:date}."
)
COPY_ON_HOLD_SHELF = (
    "Кому отложен: {reader}, {class_name}, формуляр № {card} — забрать до {until:date}."
)
ITEM_STATUS = {
    "available": "на полке",
    "on_loan": "выдан",
    "on_hold_shelf": "на полке заказов",
    "in_repair": "в ремонте",
    "lost": "утерян",
    "written_off": "списан",
}
SEARCH_LINE = "{n}. {title}{authors}{year}"
SEARCH_AUTHORS = " — {authors}"
SEARCH_YEAR = ", {year}"
AVAILABILITY_HOME = "в вашей школе: {available} из {total}"
AVAILABILITY_HOME_NONE = "в вашей школе нет"
AVAILABILITY_CHILD = "{library} ({children}): {available} из {total}"
AVAILABILITY_CHILD_NONE = "{library} ({children}): нет"
AVAILABILITY_OTHER = "{library}: {available}"
AVAILABILITY_NONE = "свободных экземпляров нет"
AVAILABILITY_NO_COPIES = "экземпляров в сети нет"
BUTTON_DETAILS = "📖 {n}"
BUTTON_NEXT = "Дальше ▶"
BUTTON_PREV = "◀ Назад"

RECORD_CARD = "{title}{subtitle}\n{authors}"
RECORD_FIELD_YEAR = "Год: {year}"
RECORD_FIELD_PUBLISHER = "Издательство: {publisher}"
RECORD_FIELD_SERIES = "Серия: {series}"
RECORD_FIELD_ISBN = "ISBN: {isbn}"
RECORD_FIELD_AGE = "Возрастная маркировка: {age}+"
RECORD_HOLDINGS = "Где есть:"
RECORD_HOLDING = "• {library}: свободно {available} из {total}"
RECORD_HOLDING_CHILD = "• {library} ({children}): свободно {available} из {total}"
RECORD_NOT_AT_HOME = (
    "В вашей школе ({library}) этой книги нет, поэтому забронировать её нельзя. Она есть: {where}."
)
RECORD_PARENT_RESERVE = (
    "Забронировать книгу ребёнок может сам, в своём аккаунте, — или попросите библиотекаря "
    "его школы."
)
SEARCH_RESERVE_ELSEWHERE = (
    "📖 вместо 📌 — этой книги нет в вашей школе, забронировать её нельзя; нажмите 📖, чтобы "
    "узнать, где она есть."
)
RECORD_GONE = "Этой записи больше нет в каталоге."

# Мои книги ----------------------------------------------------------------------------------

MY_BOOKS_NOT_LINKED = (
    "Я пока не знаю вашего формуляра. Попросите у школьного библиотекаря код привязки и "
    "пришлите его мне."
)
MY_BOOKS_HEADER = "{name}: на руках {n} {n:книга|книги|книг}."
MY_BOOKS_EMPTY = "{name}: книг на руках нет."
MY_BOOKS_LOAN = "• {title}{authors} — вернуть до {due:date}"
MY_BOOKS_LOAN_OVERDUE = (
    "• ⚠️ {title}{authors} — срок истёк {due:date}, просрочка {days} {days:день|дня|дней}"
)

# Общее ----------------------------------------------------------------------------------------

ACCESS_DENIED = "Это действие вам недоступно."
ACCESS_DENIED_SHORT = "Недоступно"
# A person whose messenger refused our messages writes again: how to let notices through.
REACHABLE_AGAIN = {
    Messenger.VK: (
        "Напоминания о сроках до вас не доходили: у вас запрещены сообщения от сообщества. "
        "Чтобы они приходили, откройте страницу сообщества и нажмите «Разрешить сообщения» "
        "(в приложении — под кнопкой «Написать сообщение»)."
    ),
}
BUTTON_STALE = "Эта кнопка устарела. Повторите поиск или запрос."
CANCELLED = "Хорошо, отменил."
NOTHING_TO_CANCEL = "Отменять нечего: я ничего не жду. Напишите название книги — я поищу."
# «стоп» in the middle of a desk flow: what was done stays done.
STOPPED = {
    "desk.return": "Приём закончен. Принятые книги остаются принятыми.",
    "desk.issue_for": "Выдача закончена. Выданные книги остаются выданными.",
    "desk.issue_copy": "Хорошо, выдачу не начинаем.",
    "desk.issue_to": "Хорошо, эту книгу не выдаём.",
}
UNKNOWN_COMMAND = "Такой команды нет. Список команд — /help."
EMPTY_MESSAGE = "Напишите название книги или автора — я поищу."
SORRY = "Извините, что-то пошло не так. Попробуйте ещё раз чуть позже."

ROLE_NAMES = {
    "reader": "читатель",
    "parent": "родитель",
    "librarian": "библиотекарь",
    "admin": "методист сети",
}

# Меню команд мессенджера ------------------------------------------------------------------

# The command menus show their commands in this order.
COMMAND_DESCRIPTIONS = {
    "start": "Начать сначала",
    "holds": "Заявки и полка заказов",
    "issue": "Выдать книгу",
    "return": "Принять книги",
    "reader": "Карточка читателя: номер, фамилия или класс",
    "register": "Записать читателя",
    "code": "Код привязки для ученика или родителя",
    "overdue": "Должники",
    "nocopy": "У кого в классе нет учебника",
    "collect": "Принять учебники у класса",
    "rules": "Правила выдачи",
    "closed": "Дни, когда библиотека закрыта",
    "notify": "Уведомления о заявках и тихие часы",
    "reminders_setup": "Напоминания читателям о сроках",
    "remove": "Удалить выбывшего читателя",
    "questions": "Вопросы читателей",
    "broadcast": "Рассылка читателям и родителям",
    "broadcasts": "Отчёт о рассылках",
    "mybooks": "Мои книги и брони",
    "history": "История чтения",
    "reminders": "Копии напоминаний о книгах детей",
    "via": "Куда присылать уведомления",
    "hours": "Часы работы и адрес библиотеки",
    "ask": "Вопрос библиотекарю",
    "help": "Что я умею",
    "cancel": "Отменить текущее действие",
}

# Командная строка (python -m bot …) ------------------------------------------------------

CLI_DB_UPGRADED = "Схема базы данных обновлена."
CLI_TELEGRAM_POLLING = "Telegram: бот @{username} слушает обновления (long polling)."
CLI_TELEGRAM_WEBHOOK = "Telegram: бот @{username} принимает вебхуки на {host}:{port}."
CLI_NOTHING_TO_SERVE = (
    "Не настроен ни один мессенджер: задайте TELEGRAM_BOT_TOKEN или VK_GROUP_TOKEN (см. .env.example) — "
    "без токена некому отвечать и некуда слать уведомления. "
    "Консольный чат запускается командой «python -m bot console»."
)
CLI_JOBS_STARTED = (
    "Фоновые задачи: процесс ждёт своей очереди и выполняет расписание и рассылку уведомлений."
)
CLI_VK_LONG_POLL = "VK: сообщество club{group_id} слушает события (Bots Long Poll)."
CLI_VK_CALLBACK = (
    "VK: сообщество club{group_id} принимает события Callback API на {host}:{port}{path}."
)
CLI_VK_NEEDS_GROUP = "Для VK нужен VK_GROUP_ID — номер сообщества, от имени которого отвечает бот."
CLI_VK_NEEDS_CONFIRMATION = (
    "Для Callback API нужен VK_CONFIRMATION_CODE — строка, которую VK показывает в настройках "
    "сообщества («Работа с API» → Callback API) и ждёт в ответ на запрос подтверждения."
)
CLI_WEBHOOK_NEEDS_SECRET = "Для вебхука нужен TELEGRAM_WEBHOOK_SECRET: без него любой мог бы прислать боту поддельное обновление."
CLI_CONSOLE_GREETING = (
    "Консольный чат «Формуляра». Вы — {persona}. Пишите как в мессенджере; номер кнопки или "
    "[Надпись] нажимает её; /as ИМЯ — сменить персону; /quit — выход."
)
CLI_DEMO_NOT_EMPTY = "База не пуста: демонстрационные данные добавляются только в пустую базу."
CLI_DEMO_DONE = (
    "Демо-сеть готова: {libraries} {libraries:библиотека|библиотеки|библиотек}, "
    "{records} {records:запись|записи|записей}, {items} {items:экземпляр|экземпляра|экземпляров}, "
    "{readers} {readers:читатель|читателя|читателей}, {loans} {loans:выдача|выдачи|выдач}."
)
CLI_NO_FILE = "Файл не найден: {path}"
CLI_UNKNOWN_LIBRARY = "Библиотеки с кодом «{code}» нет."
CLI_UNKNOWN_CARD = "В библиотеке {library} нет формуляра № {card}."
CLI_BAD_FORMAT = "Не удалось прочитать файл: {reason:lower}"
CLI_IMPORT_REJECTED = "Запись {number} отклонена: {reason:lower}"
CLI_IMPORT_CONFLICT = (
    "Запись каталога {record}: экземпляр «{inventory}» не добавлен — этот инвентарный номер или штрихкод "
    "в библиотеке уже у другого экземпляра."
)
# db.importers.IsbnProblem → the line about an ISBN left out of an imported record
CLI_IMPORT_ISBN_SKIPPED = {
    "check_digit": "Запись {number} («{title}»): ISBN {isbn} с неверной контрольной цифрой — "
    "пропущен, запись импортирована.",
    "not_an_isbn": "Запись {number} («{title}»): «{isbn}» — не ISBN (в ISBN 10 или 13 цифр, "
    "ISBN-13 начинается с 978 или 979); пропущен, запись импортирована.",
}
CLI_IMPORT_SUMMARY = (
    "Прочитано записей: {read}. Добавлено: {added}, объединено с имеющимися: {merged}, "
    "экземпляров добавлено: {copies}, отклонено: {rejected}."
)
CLI_INVITE_NEEDS_CARD = (
    "Для читателя и родителя нужны --library и номер формуляра (--card или --child)."
)
CLI_INVITE_NEEDS_LIBRARY = "Для библиотекаря нужен --library."
CLI_INVITE_DETAILS = "Код привязки: {role}. Действует до {expires:date}. Одноразовый."
CLI_SEARCH_NO_QUERY = "Нужен запрос или --batch ФАЙЛ."
CLI_SEARCH_QUERY = "Запрос: {query}"
CLI_SEARCH_READER_NEEDS_LIBRARY = (
    "Для --reader нужен и --library: номера формуляров свои в каждой библиотеке."
)
CLI_SEARCH_NOTHING = "  ничего не найдено"
CLI_SEARCH_HIT = "  {n}. [{record_id}] {title}{authors}{year} — {score:.0f}"

# Брони ----------------------------------------------------------------------------------------

BUTTON_RESERVE = "📌 Забронировать"
BUTTON_RESERVE_N = "📌 {n}"
SEARCH_RESERVE_HINT = "Нажмите 📌 с номером книги — и я забронирую её для вас в вашей школе."
HOLD_PENDING = (
    "Заявка на книгу «{title}» отправлена библиотекарю ({library}). Я напишу, когда книга будет ждать "
    "вас на полке заказов."
)
HOLD_READY = (
    "Книга «{title}» отложена для вас: заберите её в библиотеке ({library}) до {until:date}."
)
HOLD_QUEUED = (
    "Свободных экземпляров книги «{title}» сейчас нет. Вы в очереди под номером {position}."
)
HOLD_QUEUED_ESTIMATE = " Примерно к {when:date} книга может освободиться."
HOLD_CANCELLED = "Бронь на книгу «{title}» снята."
BUTTON_CANCEL_HOLD = "✖ Отменить бронь"
BUTTON_CANCEL_HOLD_N = "✖ 📌{n}"
HOLD_STATUS = {
    "pending": "ждёт одобрения библиотекаря",
    "queued": "в очереди под номером {position}",
    "ready": "ждёт вас на полке заказов до {until:date}",
}
MY_HOLDS_HEADER = "Брони:"
MY_HOLD_LINE = "• {title} — {status}"

# Библиотекарь: заявки ----------------------------------------------------------------------

DESK_HOLDS_HEADER = "Заявки на одобрение ({library}): {n}."
DESK_HOLDS_NONE = "Новых заявок нет ({library})."
DESK_HOLD_LINE = "{n}. «{title}» — {reader}, {class_name} (формуляр № {card}), {created:date}"
DESK_HOLDS_MORE = "…и ещё {n} {n:заявка|заявки|заявок}: решите эти — список обновится."
DESK_SHELF_MORE = "…и ещё {n} на полке: выдайте эти или найдите читателя через /reader."
DESK_SHELF_HEADER = "На полке заказов: {n} {n:книга|книги|книг}."
DESK_SHELF_LINE = "{n}. «{title}» — {reader}, {class_name}, до {until:date}"
BUTTON_APPROVE_N = "✅ {n}"
BUTTON_REJECT_N = "❌ {n}"
BUTTON_ISSUE_HOLD_N = "📕 Выдать {n}"
DESK_APPROVED_READY = "Одобрено: «{title}» для {reader:gent}. Положите экз. инв. № {inventory} на полку заказов до {until:date}."
DESK_APPROVED_QUEUED = (
    "Одобрено, но свободных экземпляров нет: {reader} в очереди под номером {position}."
)
DESK_REJECT_ASK = "Почему отказываем ({reader}, «{title}»)? Выберите причину или напишите свою."
REJECT_REASONS = (
    "Нет свободных экземпляров",
    "Книга не по возрасту",
    "Сначала верните просроченные книги",
)
BUTTON_REJECT_OTHER = "✏️ Другая причина"
DESK_REJECT_WRITE = "Напишите причину одним сообщением."
DESK_HOLD_WARNINGS = "   {warnings}"
DESK_WARN_LIMIT = "⚠️ на руках и в бронях {taken} из {max}"
DESK_WARN_OVERDUE = "⚠️ просрочено: {n} {n:книга|книги|книг}"
DESK_WARN_BLOCKED = "🚫 формуляр заблокирован"
DESK_APPROVED_OVERDUE = "\n⚠️ У читателя {n:просрочена|просрочено|просрочено} {n} {n:книга|книги|книг} — напомните вернуть."
DESK_AGE_CONFIRM = (
    "«{title}» с маркировкой {mark}+, а читателю {age} {age:год|года|лет}. Всё равно выдать?"
)
DESK_AGE_CONFIRM_UNKNOWN = (
    "«{title}» с маркировкой {mark}+, а возраст читателя не указан. Всё равно выдать?"
)
DESK_AGE_CONFIRM_HOLD = (
    "«{title}» с маркировкой {mark}+, а читателю {age} {age:год|года|лет}. Всё равно одобрить?"
)
DESK_AGE_CONFIRM_HOLD_UNKNOWN = (
    "«{title}» с маркировкой {mark}+, а возраст читателя не указан. Всё равно одобрить?"
)
BUTTON_AGE_ISSUE = "⚠️ Выдать всё равно"
BUTTON_AGE_APPROVE = "⚠️ Одобрить всё равно"
BUTTON_AGE_NO = "✖ Не надо"
DESK_AGE_DECLINED = "Хорошо, оставляю как было."
DESK_REJECTED = "Отклонено: «{title}» для {reader:gent}. Читателю сообщено."

# Библиотекарь: выдача и возврат ------------------------------------------------------------

DESK_ASK_COPY = "Пришлите инвентарный номер или штрихкод книги (можно фото штрихкода)."
DESK_ASK_COPY_FOR = "Выдача для {reader:gent}, {class_name}: пришлите инвентарный номер или штрихкод (можно фото). «стоп» — закончить."
DESK_ASK_READER = "«{title}» (инв. № {inventory}). Кому выдать? Номер формуляра, фамилия или класс."
DESK_ASK_RETURN = "Приём книг: присылайте инвентарные номера или штрихкоды (можно фото) по одному. «стоп» — закончить."
DESK_ISSUED = (
    "Выдано: «{title}» (инв. № {inventory}) → {reader}, {class_name}. Вернуть до {due:date}."
)
DESK_RETURNED = "Принято: «{title}» (инв. № {inventory}) от {reader:gent}, {class_name}."
DESK_RETURNED_LATE = " Просрочка {days} {days:день|дня|дней}."
DESK_RETURNED_HOLD = (
    "\n📌 Этот экземпляр ждёт {reader:accs}, {class_name}: положите его на полку заказов."
)
DESK_NEXT = "Следующую? «стоп» — закончить."
BUTTON_RETURN = "📥 Принять"
BUTTON_ISSUE = "📕 Выдать"
DESK_PHOTO_NO_CODE = (
    "Не вижу на фото штрихкода. Снимите ближе и ровнее, при хорошем свете, — или наберите номер."
)
DESK_PHOTO_ONLY_LIBRARIANS = (
    "Фото я понимаю только от библиотекарей (штрихкоды книг). Чтобы найти книгу, напишите название."
)
DESK_READER_NONE = (
    "Читателя «{query}» в вашей библиотеке нет. Проверьте номер формуляра или фамилию."
)
DESK_READER_MANY = "Нашлось несколько читателей — выберите:"
DESK_READER_SIMILAR = (
    "Читателя «{query}» в вашей библиотеке нет. Может быть, вы имели в виду кого-то из них?"
)
DESK_READER_USAGE = "Кого открыть? Так: /reader 1001 (номер формуляра), /reader Иванова (фамилия) или /reader 7Б (класс)."
DESK_CARD_NONE = "Формуляра № {card} в вашей библиотеке нет. Проверьте номер или найдите читателя: /reader Фамилия."
DESK_NOT_BLOCKED = "Формуляр № {card} ({reader}) не заблокирован — разблокировать нечего."
DESK_CLASS_LIST = "{class_name}: {n} {n:ученик|ученика|учеников}. Выберите:"
BUTTON_READER = "{name}, {class_name}, № {card}"

# Библиотекарь: читатели -------------------------------------------------------------------

DESK_READER_CARD = "{name}, {class_name} · формуляр № {card} ({library})"
DESK_READER_BLOCKED = "🚫 Формуляр заблокирован: {reason:lower}"
DESK_READER_LOANS = "На руках {n} {n:книга|книги|книг}:"
DESK_READER_NO_LOANS = "Книг на руках нет."
DESK_LOAN_LINE = "{n}. «{title}» (инв. № {inventory}) — до {due:date}{late}"
DESK_LOAN_LATE = ", ⚠️ просрочка {days} {days:день|дня|дней}"
BUTTON_RENEW_N = "🔄 {n}"
BUTTON_ISSUE_TO = "📕 Выдать книгу"
BUTTON_CODE_READER = "🔑 Код для ученика"
BUTTON_CODE_PARENT = "👪 Код для родителя"
BUTTON_BLOCK = "🚫 Заблокировать"
BUTTON_UNBLOCK = "✅ Разблокировать"
BUTTON_UNLINK = "🔓 Отвязать аккаунт"
DESK_UNLINKED = (
    "Формуляр № {card} отвязан от мессенджеров. Чтобы привязать нужный аккаунт, выдайте новый "
    "код: 🔑."
)
DESK_BLOCK_ASK = "За что блокируем {reader:accs}? Напишите причину (её увидит только библиотекарь)."
# Who is blocked agrees with the gender; when it is unknown, «Читатель …» is the subject.
DESK_BLOCKED = "{reader:m/f/?:||Читатель }{reader} {reader:m/f:заблокирован|заблокирована}: {reason:lower}. Выдача и брони закрыты до разблокировки."
DESK_UNBLOCKED = "{reader:m/f/?:||Читатель }{reader} {reader:m/f:разблокирован|разблокирована}."
DESK_REGISTER_USAGE = "Так: /register Фамилия Имя 7Б"
DESK_REGISTER_NAMESAKES = "Читатель с таким именем уже есть. Откройте нужную карточку — или запишите нового читателя, если это другой человек:"
BUTTON_REGISTER_ANYWAY = "➕ Записать нового"
DESK_REGISTERED = "{name:m/f:Записан новый читатель|Записана новая читательница}: {name}, {class_name}, формуляр № {card}."
DESK_CODE = "Код привязки для {who}: {code}\nДействует до {expires:date}, один раз."
DESK_CODE_LINK = "\nСсылка: {link}"
DESK_CODE_LINKS = "\nСсылки (код сработает в любом из мессенджеров):"
DESK_CODE_LINK_IN = "\n{messenger}: {link}"
DESK_CODE_QR = (
    "QR-код ссылки: распечатайте или покажите с экрана — его можно просто отсканировать камерой."
)
DESK_CODE_WHO_READER = "{name:m/f/?:ученика|ученицы|читателя} {name:gent} ({class_name})"
DESK_CODE_WHO_PARENT = "родителя {name:m/f/?:ученика|ученицы|читателя} {name:gent} ({class_name})"
DESK_CODE_USAGE = "Так: /code НОМЕР_ФОРМУЛЯРА, для родителя — /code НОМЕР_ФОРМУЛЯРА родитель"
DESK_BLOCK_USAGE = "Так: /block НОМЕР_ФОРМУЛЯРА причина; снять — /unblock НОМЕР_ФОРМУЛЯРА"
DESK_OVERDUE_HEADER = "Должники ({library}): {n} {n:книга|книги|книг}."
DESK_OVERDUE_NONE = "Просроченных книг нет ({library}). 🎉"
DESK_OVERDUE_LINE = "• {class_name} {reader} (№ {card}): «{title}», инв. № {inventory} — {days} {days:день|дня|дней}"

# Библиотекарь: комплекты учебников ---------------------------------------------------------

SET_USAGE = "Так: «выдать 7Б комплект: Алгебра 7, Русский язык 7» — учебники через запятую."
SET_TITLE_UNKNOWN = "Не нашёл учебник «{query}» в вашей библиотеке. Уточните название."
SET_PREVIEW = "Комплект для {class_name} ({students} {students:ученик|ученика|учеников}):"
SET_PREVIEW_LINE = "• {title}: выдать {need}, свободно {free}{short}"
SET_PREVIEW_SHORT = " — ⚠️ не хватит {n}"
BUTTON_SET_CONFIRM = "✅ Выдать комплект"
SET_DONE = "{issued:Выдан|Выдано|Выдано} {issued} {issued:экземпляр|экземпляра|экземпляров} ученикам {class_name}."
SET_DONE_ALREADY = " У {n} уже были."
SET_DONE_SHORT = "\n⚠️ Учебника «{title}» не хватило {n} {n:ученику|ученикам|ученикам}."
SET_DONE_BLOCKED = "\nПропущены (заблокированы): {names}."
SET_MISSING_USAGE = "Так: /nocopy 7Б Алгебра 7 — у кого в классе нет этого учебника."
SET_MISSING = "В {class_name} без учебника «{title}»: {n} {n:ученик|ученика|учеников}."
SET_MISSING_NONE = "В {class_name} у всех есть учебник «{title}»."
SET_COLLECT_USAGE = "Так: /collect 7Б — принять у класса все учебники в конце года."
SET_COLLECT_PREVIEW = (
    "У {class_name} на руках {n} {n:учебник|учебника|учебников}. Принять все разом?"
)
SET_COLLECT_REST = (
    "У {class_name} на руках {n} {n:учебник|учебника|учебников}. Принять у остальных: "
    "{rest} {rest:учебник|учебника|учебников}."
)
SET_COLLECT_KEPT_LIST = "✋ Не сдают (учебники останутся за ними): {names}."
SET_COLLECT_HINT = (
    "Кто-то не сдал? Нажмите на ученика — его учебники останутся за ним; нажмите ещё раз — "
    "вернёте его в список."
)
SET_COLLECT_STUDENT = "{n}. {name}: {titles}"
SET_COLLECT_STUDENT_KEPT = "{n}. ✋ {name} — не сдаёт: {titles}"
BUTTON_COLLECT_CONFIRM = "📥 Принять все"
BUTTON_COLLECT_REST = "📥 Принять у остальных"
BUTTON_COLLECT_STUDENT = "👤 {name}"
BUTTON_COLLECT_KEPT = "✋ {name}"
SET_COLLECTED = "Принято у {class_name}: {n} {n:учебник|учебника|учебников}."
SET_COLLECTED_KEPT = "\nОстались на руках: {names}."
SET_COLLECTED_KEPT_ONE = "{name} — {n}"
SET_COLLECT_NONE = "У {class_name} учебников на руках нет."

# Правила выдачи -----------------------------------------------------------------------------

RULES_HEADER = "Правила выдачи ({library}), заявки: {mode}."
RULES_MODE = {"manual": "одобряет библиотекарь", "auto": "одобряются сами"}
RULES_KIND = {"*": "все книги", "textbook": "учебники", "book": "книги", "periodical": "периодика"}
RULES_LINE = (
    "• {kind}: срок — {days}, на руках не больше {max_items}, "
    "{max_renewals:0:без продлений|продлений не больше {max_renewals}}, "
    "на полке заказов — {shelf} {shelf:день|дня|дней}, "
    "{late:0:продлить с просрочкой нельзя|продлить можно при просрочке до {late} {late:дня|дней|дней}}"
)
RULES_DAYS = "{n} {n:день|дня|дней}"
RULES_YEAR_END = "до конца учебного года"
RULES_USAGE = (
    "Изменить: /rule ВИД ПОЛЕ ЧИСЛО, где ВИД — все или учебники, ПОЛЕ — дни, максимум, "
    "продлений, полка, просрочка; «/rule учебники дни год» — снова до конца учебного года. "
    "Режим заявок: /approval авто или /approval вручную. Дни, когда библиотека закрыта: /closed."
)
RULES_CALENDAR = (
    "Библиотека открыта: {weekdays}. Срок, выпавший на выходной, праздник или закрытый день "
    "библиотеки, переносится на ближайший рабочий день."
)
RULES_CALENDAR_CLOSED = "Закрыта также: {days}."
WEEKDAYS_SHORT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
WEEKDAYS_EVERY_DAY = "каждый день"
CLOSED_USAGE = (
    "Так: /closed 30.12 санитарный день — отметить день, когда библиотека закрыта; "
    "/open 30.12 — снять отметку; /closed — список. Рабочая неделя: /open сб — работаем по "
    "субботам, /closed сб — нет. Сроки возврата на закрытые дни не выпадают."
)
WEEKDAYS_DATIVE = (
    "понедельникам",
    "вторникам",
    "средам",
    "четвергам",
    "пятницам",
    "субботам",
    "воскресеньям",
)
WEEKDAY_OPENED = "Готово: по {weekday} библиотека работает. Рабочие дни: {weekdays}."
WEEKDAY_CLOSED = (
    "Готово: по {weekday} библиотека закрыта, сроки возврата на них не выпадут. "
    "Рабочие дни: {weekdays}."
)
WEEKDAY_LAST_OPEN = "Хотя бы один день в неделю библиотека должна работать."
CLOSED_HEADER = "Дни, когда библиотека закрыта ({library}):"
CLOSED_LINE = "• {day:date}{note}"
CLOSED_NOTE = " — {note}"
CLOSED_NONE = "Своих закрытых дней у библиотеки не отмечено ({library})."
CLOSED_ADDED = (
    "Готово: {day:date} библиотека закрыта{note}. Сроки возврата на этот день больше не выпадут."
)
CLOSED_REMOVED = "Готово: {day:date} библиотека снова работает."
CLOSED_NOT_MARKED = "{day:date} не был отмечен закрытым днём."
CLOSED_BAD_DATE = "Не понял дату «{text}». Так: /closed 30.12 или /closed 30.12.2026."
CLOSED_PAST = "{day:date} уже прошло: отметить можно сегодняшний или будущий день."
# By the field word of «/rule ВИД ПОЛЕ ЧИСЛО»; «дни» may also be RULES_YEAR_END.
RULES_CHANGED = Select(
    "field",
    {
        "дни": "Готово: {kind:map:все=все книги|книги=все книги} — срок {value:#день|дня|дней}.",
        "максимум": "Готово: {kind:map:все=все книги|книги=все книги} — не больше {value} на руках.",
        "продлений": "Готово: {kind:map:все=все книги|книги=все книги} — {value:0:без продлений|продлевать не больше {value} {value:раза|раз|раз}}.",
        "полка": "Готово: {kind:map:все=все книги|книги=все книги} ждут на полке заказов {value:#день|дня|дней}.",
        "просрочка": "Готово: {kind:map:все=все книги|книги=все книги} — {value:0:продлить с просрочкой нельзя|продлить можно при просрочке до {value} {value:дня|дней|дней}}.",
        "*": "Готово: {kind:map:все=все книги|книги=все книги} — {field}: {value}.",
    },
)
RULES_BAD_VALUE = "Для «{field}» нужно число от {low} до {high}."
APPROVAL_CHANGED = "Готово: заявки теперь {mode}."

# Мои книги: продление, история, копии напоминаний ------------------------------------------

RENEWED = "Продлено: «{title}» — теперь вернуть до {due:date}."
RENEW_WHICH = "Какую книгу продлить? Нажмите 🔄 с её номером."
RENEW_NOTHING = "Продлевать нечего: книг на руках нет."
RENEW_NO_MATCH = "Среди ваших книг нет похожей на «{query}». Вот что у вас на руках:"
HISTORY_OFF = (
    "История чтения не ведётся: я веду её, только если вы сами попросите, — с книг, которые "
    "вы вернёте после включения. Включить? Её увидите только вы (и ваши родители)."
)
HISTORY_ON_EMPTY = "История чтения включена. Здесь появятся книги, которые вы вернёте."
HISTORY_HEADER = "Прочитано ({name}):"
HISTORY_LINE = "• {title}{authors} — вернули {returned:date}"
BUTTON_HISTORY_ON = "📚 Вести историю"
BUTTON_HISTORY_OFF = "🙈 Не показывать историю"
HISTORY_SWITCHED_ON = "Готово: история чтения включена."
HISTORY_SWITCHED_OFF = (
    "Готово: история чтения выключена и забыта. Если включите её снова, она начнётся заново."
)
REMINDERS_HEADER = "Копии напоминаний о книгах детей:"
REMINDERS_LINE = "• {child} ({library}): {state}"
REMINDERS_STATE = {True: "присылаю", False: "не присылаю"}
BUTTON_REMINDERS_ON = "🔔 {child}: присылать"
BUTTON_REMINDERS_OFF = "🔕 {child}: не присылать"
REMINDERS_NOT_PARENT = (
    "Это для родителей: здесь включают и выключают копии напоминаний о книгах детей."
)

# Уведомления (outbox) ------------------------------------------------------------------------

NOTICES = {
    "hold.ready": "📌 Книга «{title}» ждёт вас в библиотеке ({library}) до {until:date}.",
    "hold.queued": "Заявка на книгу «{title}» одобрена, но свободных экземпляров пока нет: вы в очереди под номером {position}.",
    "hold.queue_moved": "Очередь на книгу «{title}» сдвинулась: теперь вы под номером {position}.",
    "hold.waiting": "Свободных экземпляров книги «{title}» пока нет: вы в очереди под номером {position}. Я напишу, когда книга будет ждать вас.",
    "hold.rejected": "Библиотекарь отклонил заявку на книгу «{title}»: {reason:lower}.",
    "hold.expiring": "⏰ Не забудьте забрать книгу «{title}» в библиотеке ({library}): она ждёт вас до {until:date}.",
    "hold.expired": "Срок хранения «{title}» на полке заказов истёк, бронь снята.",
    "loan.issued": "📕 Выдана книга «{title}». Вернуть до {due:date}.",
    "loan.returned": "📥 Книга «{title}» возвращена. Спасибо!",
    "loan.renewed": "🔄 Книга «{title}» продлена до {due:date}.",
    "set.issued": "📚 Выдан комплект учебников ({library}). Берегите их до конца учебного года!",
    "set.returned": "📥 Учебники сданы ({library}): {count} {count:учебник|учебника|учебников}. Спасибо!",
}
# Copies for parents speak of the child, not to them.
NOTICES_PARENT = {
    "hold.ready": "{child:given}: книга «{title}» ждёт в библиотеке ({library}) до {until:date}.",
    "hold.queued": "{child:given}: заявка на книгу «{title}» одобрена, свободных экземпляров пока нет — в очереди под номером {position}.",
    "hold.waiting": "{child:given}: заявка на книгу «{title}» в очереди — {position}-я; свободных экземпляров пока нет.",
    "hold.queue_moved": "{child:given}: очередь на книгу «{title}» сдвинулась — теперь под номером {position}.",
    "hold.rejected": "{child:given}: библиотекарь отклонил заявку на книгу «{title}»: {reason:lower}.",
    "hold.expiring": "{child:given}: книга «{title}» ждёт в библиотеке ({library}) до {until:date} — напомните {child:m/f/?:ему|ей|ребёнку} забрать её.",
    "hold.expired": "{child:given}: срок хранения «{title}» на полке заказов истёк, бронь снята.",
    "loan.issued": "{child:given}: выдана книга «{title}», вернуть до {due:date}.",
    "loan.returned": "{child:given}: книга «{title}» возвращена.",
    "loan.renewed": "{child:given}: книга «{title}» продлена до {due:date}.",
    "set.issued": "{child:given}: выдан комплект учебников ({library}) до конца учебного года.",
    "set.returned": "{child:given}: учебники сданы ({library}): {count} {count:учебник|учебника|учебников}.",
}
# For librarians: a new request at their library, with buttons to act on it.
STAFF_NOTICES = {
    "hold.requested.pending": "🆕 Новая заявка: «{title}» — {reader}, {class_name} (формуляр № {card}).",
    "hold.requested.ready": (
        "🆕 Заявка одобрена автоматически: «{title}» — {reader}, {class_name}. Положите экз. "
        "инв. № {inventory} на полку заказов."
    ),
    "hold.requested.queued": (
        "🆕 Заявка в очередь: «{title}» — {reader}, {class_name}; свободных экземпляров сейчас нет."
    ),
}
BUTTON_APPROVE = "✅ Одобрить"
BUTTON_REJECT = "❌ Отклонить"
BUTTON_HOLDS_LIST = "📋 Заявки и полка"
NOTIFY_STATE = (
    "Уведомления о новых заявках ({library}): {state}.\n"
    "Тихие часы: {quiet_from}:00–{quiet_to}:00{whose} — в это время уведомления ждут утра.\n"
    "Изменить тихие часы: /notify тихо 20 8."
)
NOTIFY_ON = "присылаю"
NOTIFY_OFF = "не присылаю"
NOTIFY_QUIET_LIBRARY = " (как у библиотеки)"
NOTIFY_QUIET_OWN = " (ваши)"
BUTTON_NOTIFY_OFF = "🔕 Не присылать"
BUTTON_NOTIFY_ON = "🔔 Присылать"
NOTIFY_QUIET_USAGE = (
    "Так: /notify тихо 20 8 — с 20:00 до 8:00 уведомления ждут утра (часы от 0 до 23)."
)
CONSOLE_NOTICE = "📬 для «{persona}»: {text}"

# Отказы правил библиотеки (db.errors.Refused.key → текст) -----------------------------------
# Each text is written for whoever acts. Keys in STAFF_REFUSALS speak to a librarian (they name
# readers, cards and a librarian's private notes): a reader or parent never gets one of them.

REFUSALS: dict[str, str] = {
    "reader_unknown": "Такого читателя нет.",
    "reader_blocked_self": "Ваш формуляр сейчас заблокирован: продлевать и бронировать книги нельзя. Подойдите к школьному библиотекарю.",
    "child_blocked": "Формуляр ребёнка сейчас заблокирован: продлевать и бронировать книги нельзя. Подробности — у школьного библиотекаря.",
    "reader_blocked": "{name:m/f/?:||Читатель }{name} {name:m/f:заблокирован|заблокирована}: {reason:lower}. Сначала разблокируйте (/unblock).",
    "reader_other_school": "Этот читатель записан в другой школе: выдавать можно только своим читателям.",
    "reader_at_limit": "У {name:gent} уже {max} {max:книга|книги|книг} по этим правилам — больше выдать нельзя, пока не вернёт.",
    "record_gone": "Этой книги больше нет в каталоге.",
    "no_copies_here": "В вашей школе ({library}) этой книги нет — забронировать её можно только там, где она есть.",
    "already_on_loan": "Эта книга уже у вас на руках.",
    "hold_exists": "Вы уже забронировали эту книгу. Посмотреть брони — «мои книги».",
    "hold_not_pending": "Эту заявку уже рассмотрели.",
    "hold_not_active": "Эта бронь уже не действует.",
    "copy_unknown": "Экземпляра «{code}» в вашей библиотеке нет. Проверьте инвентарный номер или штрихкод.",
    "copy_written_off": "Этот экземпляр списан — выдавать его нельзя.",
    "copy_lost": "Этот экземпляр числится утерянным — выдавать его нельзя.",
    "copy_in_repair": "Этот экземпляр в ремонте — выдавать его нельзя.",
    "copy_on_hold_shelf": "Этот экземпляр только что отложили на полку заказов для другого читателя.",
    "copy_available": "Этот экземпляр только что изменился — повторите, пожалуйста.",
    "copy_on_loan": "Этот экземпляр уже выдан (формуляр № {card}, вернуть до {due:date}). Сначала примите его.",
    "copy_on_loan_unknown": "Этот экземпляр уже выдан. Сначала примите его.",
    "copy_held_for_other": "Этот экземпляр отложен на полке заказов для другого читателя (формуляр № {card}).",
    "reader_has_copy": "У {name:gent} уже есть экземпляр этой книги.",
    "copy_not_on_loan": "Этот экземпляр не числится выданным — принимать нечего.",
    "loan_closed": "Эта книга уже возвращена.",
    "renew_limit": "«{title}» больше продлевать нельзя: продлений не больше {max}.",
    "renew_never": "Книгу «{title}» продлить нельзя: учебники выдаются до конца учебного года.",
    "renew_overdue": "Книга «{title}» просрочена на {days} {days:день|дня|дней} — продлить уже нельзя, верните её в библиотеку.",
    "renew_wanted": "Книгу «{title}» продлить нельзя: её ждут другие читатели.",
    "class_unknown": "Класса {class_name} в вашей библиотеке нет.",
    "hold_at_limit": (
        "У вас уже {taken} {taken:книга|книги|книг} на руках и в бронях — больше по правилам "
        "библиотеки нельзя (не больше {max}). Верните книгу — и можно будет забронировать новую."
    ),
    "approve_blocked": "{name}: формуляр заблокирован — одобрить заявку нельзя. Разблокируйте (/unblock) или отклоните заявку.",
    "approve_at_limit": (
        "{name}: уже {taken} {taken:книга|книги|книг} на руках и в одобренных бронях, а по правилам "
        "не больше {max}. Одобрить нельзя — отклоните заявку или дождитесь, пока книгу вернут."
    ),
}

STAFF_REFUSALS = frozenset(
    {
        "reader_unknown",
        "reader_blocked",
        "reader_other_school",
        "reader_at_limit",
        "hold_not_pending",
        "copy_unknown",
        "copy_written_off",
        "copy_lost",
        "copy_in_repair",
        "copy_on_hold_shelf",
        "copy_available",
        "copy_on_loan",
        "copy_on_loan_unknown",
        "copy_held_for_other",
        "reader_has_copy",
        "copy_not_on_loan",
        "class_unknown",
        "approve_blocked",
        "approve_at_limit",
    }
)
REFUSED_NEUTRAL = (
    "Сейчас это сделать нельзя. Если что-то непонятно, спросите школьного библиотекаря."
)

# Длинный и странный ввод
TOO_LONG_MESSAGE = (
    "Слишком длинный запрос: я читаю сообщения до {limit} знаков. Напишите, пожалуйста, короче."
)
TOO_LONG_QUERY = (
    "Слишком длинный запрос: для поиска хватит {limit} знаков — названия книги или фамилии автора."
)
DESK_NAME_TOO_LONG = (
    "Слишком длинное имя: в карточке читателя помещается до {limit} знаков. "
    "Так: /register Фамилия Имя 7Б"
)


# Хранение данных и удаление читателя
CLI_BACKUP_DONE = "Резервная копия базы сохранена: {path}"
CLI_BACKUP_NO_DATABASE = "Базы данных {path} нет — копировать нечего."
CLI_BACKUP_FAILED = "Не получилось: {reason:lower}"
CLI_BACKUP_POSTGRES = (
    "База данных — PostgreSQL: резервные копии делает её собственный инструмент.\n"
    '  копия:          pg_dump --format=custom --file=formulyar.dump "$DATABASE_URL"\n'
    '  восстановление: pg_restore --clean --if-exists --dbname="$DATABASE_URL" formulyar.dump\n'
    "(в адресе для pg_dump и pg_restore — postgresql://, без +asyncpg)."
)
CLI_RESTORE_NOT_A_BACKUP = (
    "{path} — не резервная копия Формуляра (не база SQLite, повреждена или без наших таблиц). "
    "Текущая база не тронута."
)
CLI_RESTORE_DONE = (
    "База {path} восстановлена из копии. Запустите бота заново; поисковый индекс перестроится сам."
)
CLI_RESTORE_SAFETY = "Прежняя база сохранена рядом: {path}"
READER_ERASED_NAME = "Выбывший читатель № {card}"
DESK_REMOVE_USAGE = (
    "Удалить читателя, который выбыл из школы: /remove НОМЕР_ФОРМУЛЯРА, например /remove 1034."
)
DESK_REMOVE_ASK = (
    "Удалить из библиотеки {name:accs} ({class_name}, формуляр № {card})?\n"
    "Имя, год рождения и класс будут стёрты, аккаунты и родители отвязаны, брони отменены. "
    "Выдачи останутся в отчётах — без имени. Вернуть данные будет нельзя."
)
DESK_REMOVE_HAS_LOANS = (
    "У {name:gent} на руках {n} {n:книга|книги|книг}. Сначала примите их или спишите — "
    "потом читателя можно удалить."
)
DESK_REMOVE_ALREADY = "Формуляр № {card} уже удалён ({when:date})."
DESK_REMOVED = (
    "Читатель удалён: формуляр № {card} теперь «{name}». Личные данные стёрты; "
    "отменено броней: {holds}, отвязано аккаунтов: {accounts}, родителей: {parents}."
)
DESK_REMOVE_KEPT = "Хорошо, читатель остаётся."
BUTTON_REMOVE_CONFIRM = "🗑 Да, удалить"
BUTTON_REMOVE_KEEP = "Нет, оставить"

# Куда присылать уведомления ----------------------------------------------------------------

# Messengers by name, as a person reads them after «в»: «только в Telegram», «в консоль».
MESSENGER_NAMES = {"telegram": "Telegram", "vk": "ВКонтакте", "console": "консоль"}
VIA_NOT_LINKED = (
    "Уведомления приходят, когда аккаунт привязан к формуляру: пришлите код привязки, "
    "который даст библиотекарь."
)
VIA_ONLY_ONE = (
    "Уведомления приходят в {messenger} — других мессенджеров у вас здесь нет. Привяжете ещё "
    "один (код даст библиотекарь) — сможете выбрать, куда их присылать."
)
VIA_STATE_ALL = "Уведомления приходят во все ваши мессенджеры ({messengers}). Можно выбрать один."
VIA_STATE_ONE = (
    "Уведомления приходят только в {messenger}. Если туда написать не получится, пришлю в "
    "остальные ({messengers})."
)
BUTTON_VIA_ALL = "Во все мессенджеры"
BUTTON_VIA_ONLY = "Только {messenger}"
VIA_CHOSEN_ALL = "Готово: уведомления будут приходить во все ваши мессенджеры."
VIA_CHOSEN_ONE = "Готово: уведомления будут приходить только в {messenger}."

# Повседневные просьбы своими словами (handlers/everyday*.py) ---------------------------------

GREETING_READER = (
    "Привет, {name}! 👋 Напишите название книги или автора — я найду её. А ещё можно так: "
    "«мои книги», «мои брони», «продли все книги», «правила»."
)
GREETING_ADULT_READER = (
    "Здравствуйте, {name}! 👋 Напишите название книги или автора — я найду её. А ещё можно "
    "так: «мои книги», «мои брони», «продли все книги», «правила»."
)
GREETING_PARENT = (
    "Здравствуйте! 👋 «Мои книги» — какие книги у детей на руках и когда их вернуть; «мои "
    "брони» — их брони; «что читает ребёнок» — история чтения, если ребёнок её ведёт. "
    "Найти книгу — просто напишите название или автора."
)
GREETING_LIBRARIAN = (
    "Здравствуйте! 👋 Рабочее место библиотекаря ({library}). Можно писать словами: «новые "
    "заявки», «полка заказов», «должники 7Б», «у кого Война и мир», «выдать 1062», "
    "«возврат», «читатель Иванова». Все команды — /help."
)
GREETING_ADMIN = "Здравствуйте! 👋 Напишите название книги или автора — я поищу по каталогу сети."
GREETING_GUEST = (
    "Здравствуйте! 👋 Я «Формуляр», школьная библиотека. Напишите название книги или автора — "
    "я найду, где она есть. Чтобы видеть свои книги, пришлите код привязки от библиотекаря."
)
THANKS = "Пожалуйста! Понадобится книга — просто напишите её название. 🙂"

MY_HOLDS_CARD = "{name}: {n} {n:бронь|брони|броней}."
MY_HOLDS_CARD_NONE = "{name}: броней нет."
MY_HOLDS_CANCEL_HINT = "✖ с номером — снять бронь."
MY_HOLDS_HOW = "Забронировать книгу: найдите её и нажмите 📌 — или напишите «хочу взять …»."
CANCEL_HOLD_WHICH = "Какую бронь снять? Нажмите ✖ с её номером."
CANCEL_HOLD_NONE = "Снимать нечего: броней нет."
CANCEL_HOLD_NO_MATCH = "Среди ваших броней нет похожей на «{query}». Вот ваши брони:"

LOAN_COUNT_OWN = "У вас на руках {n} {n:книга|книги|книг}{late}."
LOAN_COUNT_OWN_NONE = "У вас книг на руках нет."
LOAN_COUNT_CHILD = "{name}: на руках {n} {n:книга|книги|книг}{late}."
LOAN_COUNT_CHILD_NONE = "{name}: книг на руках нет."
LOAN_COUNT_LATE = ", из них {n} {n:просрочена|просрочены|просрочены}"
LOAN_COUNT_ALL_LATE = Select("n", {"1": " — и она просрочена", "*": " — и все просрочены"})
BUTTON_MY_BOOKS = "📚 Мои книги"

RENEW_ALL_DONE = "{n:Продлена|Продлены|Продлено} {n} {n:книга|книги|книг}:"
RENEW_ALL_LINE = "• {who}«{title}» — теперь вернуть до {due:date}"
RENEW_ALL_WHO = "{name}: "
RENEW_ALL_NONE = "Продлить не получилось ни одну книгу:"
RENEW_ALL_REFUSED = "Не продлены:"
RENEW_ALL_REASON = "• {who}{reason}"

# A library's loan rules told to a reader or a parent: sentences, never the librarian's /rule
# vocabulary.
READER_RULES_HEADER = "Правила библиотеки ({library}):"
READER_RULES_KIND = {
    "*": "Книги",
    "book": "Художественные книги",
    "textbook": "Учебники",
    "periodical": "Журналы",
}
READER_RULES_LOAN = "• {kind} выдаются на {days:#день|дня|дней}, на руках — не больше {max_items}."
READER_RULES_LOAN_YEAR = (
    "• {kind} выдаются до конца учебного года, на руках — не больше {max_items}."
)
READER_RULES_RENEW_NEVER = " Продлевать их нельзя."
READER_RULES_RENEW = (
    " Продлить можно {n} {n:раз|раза|раз}, пока срок не прошёл и книгу не ждут другие читатели."
)
READER_RULES_RENEW_LATE = (
    " Продлить можно {n} {n:раз|раза|раз}, даже с просрочкой до {late} {late:дня|дней|дней}, "
    "если книгу не ждут другие читатели."
)
READER_RULES_SHELF = (
    "• Отложенная для вас книга ждёт на полке заказов {days:#день|дня|дней} — потом бронь "
    "снимается."
)
READER_RULES_APPROVAL = {
    "manual": "• Заявку на книгу сначала одобряет библиотекарь — я напишу, когда книга будет ждать.",
    "auto": "• Заявки одобряются сразу, без библиотекаря.",
}
READER_RULES_OPEN = (
    "• Библиотека открыта: {weekdays}. Если срок возврата выпадает на выходной, праздник или "
    "закрытый день, он переносится на ближайший рабочий день."
)
READER_RULES_CLOSED = "• Ближайшие дни, когда библиотека закрыта: {days}."
READER_RULES_NOT_LINKED = (
    "Правила выдачи у каждой школы свои. Привяжите формуляр (код даст школьный библиотекарь) — "
    "и я расскажу правила вашей библиотеки."
)
HISTORY_CHILD_OFF = (
    "История чтения {child:given gent} не ведётся: включить её может только "
    "{child:m/f/?:он сам|она сама|сам ребёнок} — в своём аккаунте."
)

# A librarian's desk words from anyone else: nothing of the desk shows.
DESK_ONLY = (
    "Это могут только библиотекари. Ваши книги — «мои книги», брони — «мои брони»; чтобы "
    "найти книгу, напишите её название."
)
DESK_SHELF_NONE = "На полке заказов пусто ({library})."
DESK_OVERDUE_CLASS_HEADER = "Должники {class_name} ({library}): {n} {n:книга|книги|книг}."
DESK_OVERDUE_CLASS_NONE = "У {class_name} просроченных книг нет ({library}). 🎉"
WHO_HAS_USAGE = "Какую книгу? Так: «у кого Война и мир»."
WHO_HAS_UNKNOWN = "Не нашёл «{query}» в каталоге. Проверьте название."
WHO_HAS_HEADER = "«{title}» на руках у {n} {n:читателя|читателей|читателей} ({library}):"
WHO_HAS_LINE = "• {reader}, {class_name} (№ {card}) — инв. № {inventory}, до {due:date}{late}"
WHO_HAS_NOBODY = "«{title}» сейчас ни у кого из ваших читателей нет ({library})."
DESK_ISSUE_NOT_HELD = (
    "Книги «{query}» в вашей библиотеке нет. Проверьте название или пришлите инвентарный номер."
)
DESK_ISSUE_NONE_FREE = "Свободных экземпляров книги «{title}» сейчас нет ({library})."
DESK_ISSUE_WHICH_COPY = (
    "«{title}»: свободно {n} {n:экземпляр|экземпляра|экземпляров}. Пришлите инвентарный номер "
    "или штрихкод того, что выдаёте (можно фото)."
)

# Free text: what was understood, and the catalog a tap away when the words are a title too.
SEARCH_UNDERSTOOD = "Ищу: «{query}»"
BUTTON_SEARCH_TITLE = "🔎 Искать «{query}» в каталоге"
ALSO_A_TITLE = "В каталоге есть и книга «{query}»:"

# Часы работы, адрес и вопросы библиотекарю (handlers/info.py, handlers/ask.py) -------------

INFO_LIBRARY = "📚 {library}"
INFO_HOURS = "🕘 Часы работы: {hours}"
INFO_HOURS_UNKNOWN = "🕘 Часы работы библиотекарь ещё не указал."
INFO_ADDRESS = "📍 Адрес: {address}"
INFO_ADDRESS_UNKNOWN = "📍 Адрес библиотекарь ещё не указал."
INFO_WEEKDAYS = "📅 Рабочие дни: {weekdays}."
INFO_CLOSED_HEADER = "Ближайшие дни, когда библиотека не работает:"
INFO_CLOSED_LINE = "• {days} — {reason}"
INFO_CLOSED_NO_NOTE = "библиотека закрыта"
INFO_HOLIDAY_UNNAMED = "выходной день"
INFO_NONE_CLOSED = "В ближайший месяц библиотека работает без особых выходных."
INFO_LIBRARIAN_USAGE = (
    "Изменить: /hours пн–пт 8:00–16:00, сб 9:00–13:00 — часы работы; /address ул. Школьная, 1, "
    "каб. 204 — адрес (или кнопками ниже). Дни, когда библиотека закрыта, — /closed."
)
INFO_NOT_LINKED = (
    "Подскажу часы работы и адрес вашей школьной библиотеки, когда аккаунт будет привязан: "
    "пришлите код привязки — его даёт школьный библиотекарь."
)
INFO_ALL_HEADER = "Библиотеки сети:"
INFO_ALL_LINE = "📚 {library}: {address}\n🕘 {hours}"
INFO_ALL_HOURS_UNKNOWN = "часы работы не указаны"
INFO_ALL_ADDRESS_UNKNOWN = "адрес не указан"
INFO_ALL_FOOTER = (
    "Пришлите код привязки от школьного библиотекаря — буду показывать вашу библиотеку, "
    "её выходные и праздники."
)
INFO_ASK_HOURS = (
    "Напишите часы работы одним сообщением, например: пн–пт 8:00–16:00, сб 9:00–13:00. "
    "«Отмена» — оставить как есть."
)
INFO_ASK_ADDRESS = (
    "Напишите адрес библиотеки одним сообщением, например: ул. Школьная, 1, 2-й этаж, каб. 204. "
    "«Отмена» — оставить как есть."
)
INFO_HOURS_SET = "Готово: часы работы — {value}."
INFO_ADDRESS_SET = "Готово: адрес — {value}."
INFO_TOO_LONG = "Слишком длинно: уложитесь в {limit} символов."
BUTTON_EDIT_HOURS = "✏️ Часы работы"
BUTTON_EDIT_ADDRESS = "✏️ Адрес"

ASK_WRITE = (
    "Напишите вопрос библиотекарю ({library}) одним сообщением — я передам. "
    "«Отмена» — не спрашивать."
)
ASK_WRITE_ANY = (
    "Напишите вопрос библиотекарю одним сообщением — я передам. «Отмена» — не спрашивать."
)
ASK_WHICH = "Кому передать вопрос? Выберите библиотеку."
BUTTON_ASK_LIBRARY = "{library} — {children}"
ASK_SENT = "Вопрос передан библиотекарю ({library}). Ответ придёт сюда же."
ASK_SAVED = (
    "Вопрос записан. В чате пока нет библиотекаря ({library}) — он увидит вопрос, как только "
    "подключится, и ответ придёт сюда же."
)
ASK_TOO_MANY = (
    "У вас уже {n} {n:вопрос|вопроса|вопросов} без ответа. Дождитесь ответа библиотекаря — "
    "потом можно будет спросить ещё."
)
ASK_NOT_LINKED = (
    "Задать вопрос библиотекарю можно, когда аккаунт привязан к формуляру: пришлите код "
    "привязки — его даёт школьный библиотекарь."
)
ASK_STAFF = "Вопросы читателей приходят вам, библиотекарю. Вопросы без ответа — /questions."

QUESTION_NOTICE = "❓ Вопрос № {id} от {who}:\n«{text}»"
QUESTION_FROM_READER = "{reader:gent}, {class_name} (формуляр № {card})"
QUESTION_FROM_PARENT = "родителя {readers}"
QUESTION_FROM_UNKNOWN = "читателя, которого больше нет в библиотеке"
BUTTON_ANSWER = "✍️ Ответить"
BUTTON_ANSWER_N = "✍️ № {id}"
BUTTON_QUESTIONS = "Все вопросы"
ANSWER_WRITE = (
    "Вопрос № {id} от {who}:\n«{text}»\n\nНапишите ответ одним сообщением — я передам. "
    "«Отмена» — не отвечать."
)
ANSWER_SENT = "Ответ на вопрос № {id} передан."
ANSWER_ALREADY = "На вопрос № {id} уже ответили ({when:datetime}): «{answer}»"
ANSWER_NO_QUESTION = "Вопроса № {id} нет: может быть, читатель выбыл и его данные удалены."
ANSWER_USAGE = (
    "Ответить на вопрос: /answer НОМЕР текст ответа, например «/answer 12 Да, книга есть». "
    "Вопросы без ответа — /questions."
)
ANSWER_NOTICE = "💬 Ответ библиотекаря ({library}) на ваш вопрос «{question}»:\n{answer}"
QUESTIONS_HEADER = "Вопросы без ответа ({library}): {n}."
QUESTIONS_LINE = "№ {id} · {when:datetime} · от {who}:\n«{text}»"
QUESTIONS_NONE = "Вопросов без ответа нет ({library})."
QUESTIONS_MORE = "…и ещё {n}. Ответите на эти — покажу следующие."
QUESTIONS_HOW = "✍️ с номером — ответить; или /answer НОМЕР текст ответа."

# Темы, подборки, похожие книги (browse_subject, recommend, карточка книги) --------------------

# How a subject of nlu/subjects.csv is named in a heading; a key not here is shown as it is.
SUBJECT_TITLES = {
    "фантастика": "Фантастика",
    "фэнтези": "Фэнтези",
    "детектив": "Детективы",
    "приключения": "Приключения",
    "сказки": "Сказки",
    "про животных": "Книги о животных",
    "про природу": "Книги о природе",
    "про войну": "Книги о войне",
    "про любовь": "Книги о любви",
    "поэзия": "Стихи и поэмы",
    "русская классика": "Русская классика",
    "зарубежная литература": "Зарубежная литература",
    "юмор": "Смешные книги",
    "ужасы": "Страшные и мистические истории",
    "история": "Книги об истории",
    "школа": "Книги о школе",
    "дружба": "Книги о дружбе",
    "мифы": "Мифы, легенды и эпос",
    "пьесы": "Пьесы",
    "детская литература": "Детские книги",
    "про спорт": "Книги о спорте",
}
BROWSE_HEADER = "{title}: {n:#книга|книги|книг}, сначала самые читаемые."
BROWSE_HEADER_NARROW = "{title} — «{query}»: {n:#книга|книги|книг}, сначала самые читаемые."
BROWSE_NOTHING = "{title}: в каталоге сети для вас пока ничего нет."
BROWSE_NOTHING_NARROW = "{title} — «{query}»: ничего не нашлось. Вот вся тема — нажмите «{button}»."
BUTTON_BROWSE_ALL = "📚 {title}"
BROWSE_UNKNOWN = (
    "Такой темы я пока не знаю. Можно так: «фантастика», «приключения», «детективы», "
    "«сказки», «про животных», «про войну», «стихи», «смешные книги»."
)

RECOMMEND_PROGRAMME = (
    "Список литературы, {grade} класс — {n:#произведение|произведения|произведений}:"
)
RECOMMEND_SUMMER = (
    "На лето перед {grade} классом — список {grade} класса, "
    "{n:#произведение|произведения|произведений}:"
)
RECOMMEND_SUMMER_LAST = (
    "После 11 класса школьного списка больше нет. Вот список 11 класса — "
    "{n:#произведение|произведения|произведений}:"
)
RECOMMEND_WORK = "{n}. {title} — {author}"
RECOMMEND_WORK_MISSING = "   в каталоге сети нет"
RECOMMEND_ASK_GRADE = "Для какого класса показать список литературы?"
RECOMMEND_ASK_CHILD = "Для кого из детей подобрать книги?"
BUTTON_GRADE = "{grade} класс"
BUTTON_CHILD_GRADE = "{name}, {class_name}"
RECOMMEND_NEW = "Новые поступления ({library}) за два месяца: {n:#книга|книги|книг}."
RECOMMEND_NEW_NONE = "За последние два месяца новых книг не поступало ({library})."
RECOMMEND_NO_SCHOOL = (
    "Новинки и популярное я показываю для школы читателя. Привяжите формуляр: возьмите код "
    "у школьного библиотекаря и пришлите его мне. А список литературы можно и так: "
    "«список литературы для 5 класса»."
)
RECOMMEND_POPULAR_GRADE = "Что больше всего читают в {grade}-х классах школ сети:"
RECOMMEND_POPULAR_ALL = "Что больше всего читают в школах сети:"
RECOMMEND_POPULAR_NONE = (
    "Пока мало данных, чтобы сказать, что популярно: вот новинки и список литературы."
)
RECOMMEND_MIX = "Что почитать — несколько идей:"
RECOMMEND_MIX_PROGRAMME = "📚 По программе {grade} класса:"
RECOMMEND_MIX_POPULAR = "🔥 Читают чаще всего:"
RECOMMEND_MIX_NEW = "🆕 Новое в библиотеке:"
BUTTON_RECOMMEND_PROGRAMME = "📚 Список {grade} кл."
BUTTON_RECOMMEND_SUMMER = "☀️ На лето"
BUTTON_RECOMMEND_POPULAR = "🔥 Популярное"
BUTTON_RECOMMEND_NEW = "🆕 Новинки"

RECORD_FIELD_SERIES_NUMBER = "Серия: {series}, книга {number}"
RECORD_FIELD_SUBJECTS = "Темы: {subjects}"
RECORD_ANNOTATION = "О чём: {annotation}"
RECORD_SERIES_ORDER = "Серия по порядку:"
RECORD_SERIES_BOOK = "{mark}{number}. {title}"
RECORD_SERIES_HERE = "▸ "
RECORD_SERIES_OTHER = "   "
BUTTON_SIMILAR = "🔗 Похожие"
SIMILAR_HEADER = "Похожие на книгу «{title}»: {n:#книга|книги|книг}."
SIMILAR_NONE = "Книг, похожих на книгу «{title}», в каталоге пока нет."

# Due-date digest: one message a day per person (jobs/reminders.py) ---------------------------

DIGEST_OWN_HEADER = "📚 Напоминание о книгах ({library}):"
DIGEST_SOON = "• «{title}» — вернуть до {due:date}"
DIGEST_TODAY = "• «{title}» — сегодня последний день, вернуть до {due:date}"
DIGEST_OVERDUE = "• «{title}» — просрочка {days:#день|дня|дней} (срок был {due:date})"
DIGEST_RETURN = "Верните, пожалуйста, просроченные книги в библиотеку."
DIGEST_RENEW = "Не успеваете дочитать — нажмите «🔄 Продлить все»."
DIGEST_CHILD_HEADER = (
    "{child:given}: {n:просрочена|просрочены|просрочено} {n:#книга|книги|книг} ({library}):"
)
DIGEST_CHILD_FOOTER = "Напомните {child:m/f/?:ему|ей|ребёнку} вернуть {n:её|их|их} в библиотеку."
BUTTON_RENEW_ALL = "🔄 Продлить все"
DIGEST_RENEWED_ALREADY = "Книги из этого напоминания уже продлевали — новые сроки в «мои книги»."

# A library's reminder settings (/reminders_setup) -----------------------------------------------

REMINDER_SETTINGS = (
    "Напоминания о сроках ({library}) — не больше одного сообщения в день каждому, "
    "все книги в нём:\n"
    "• заранее: {days_before:0:не напоминаю|за {days_before:#день|дня|дней} до срока};\n"
    "• в день сдачи: {on_due_day:map:True=напоминаю|False=не напоминаю};\n"
    "• просрочка: {steps};\n"
    "• родителям: {parents:0:не копирую|копия просрочки с {parents}-го шага}."
)
REMINDER_STEPS = "через {days} {last:день|дня|дней}, дальше раз в неделю"
REMINDER_STEPS_NONE = "не напоминаю"
REMINDER_SETTINGS_USAGE = (
    "Изменить — одной строкой, настройки через «;», любые из них:\n"
    "/reminders_setup за 3 дня; в день сдачи да; просрочка 1,7,14; родителям с 2-го шага\n"
    "«за N дней» — от 0 (не напоминать заранее) до {max_before}; «просрочка нет» — не "
    "напоминать о просрочке; «родителям нет» — не копировать родителям. Шаги просрочки — дни "
    "после срока, по возрастанию; после последнего — раз в неделю."
)
REMINDER_SETTINGS_CHANGED = "Готово: настройки напоминаний сохранены."
REMINDER_SETTINGS_BAD = "Не понял «{part}»."

# Broadcasts from chat (/broadcast, /broadcasts) ------------------------------------------------

BROADCAST_WHO = (
    "📢 Рассылка читателям вашей библиотеки. Кому? Выберите или напишите класс (7Б) "
    "или параллель (7)."
)
BUTTON_BROADCAST_SCHOOL = "🏫 Вся школа"
BUTTON_BROADCAST_OVERDUE = "⏰ Должники"
BUTTON_BROADCAST_CLASS = "👥 Класс…"
BROADCAST_PICK_CLASS = "Какой класс или параллель? Выберите или напишите: 7Б — класс, 7 — все 7-е."
BROADCAST_TYPE_CLASS = "Какой класс или параллель? Напишите: 7Б — класс, 7 — все 7-е классы."
BROADCAST_NO_CLASS = (
    "Класса «{typed}» в библиотеке нет. Напишите класс (7Б) или параллель (7), или /cancel."
)
BROADCAST_WHOM = "Кому именно ({audience})?"
BUTTON_BROADCAST_READERS = "Ученикам"
BUTTON_BROADCAST_BOTH = "Ученикам и родителям"
BUTTON_BROADCAST_PARENTS = "Только родителям"
BROADCAST_WRITE = (
    "Напишите текст рассылки одним сообщением ({audience}). Можно приложить фото или файл "
    "до {max_mb} МБ — тогда текст пишите в подписи к нему."
)
BROADCAST_TOO_LONG = "Слишком длинно: не больше {max} знаков. Напишите покороче."
BROADCAST_PREVIEW = (
    "Получат: {people:#человек|человека|человек} ({audience})"
    "{unreachable:0:.|, из них сейчас недоступны: {unreachable}.}"
    "{not_in_bot:0:| По {not_in_bot:#читателю|читателям|читателям} отправить некому — "
    "адресатов нет в боте.}"
    "{later:0:| Сейчас тихие часы: сообщения уйдут в {later}.}"
    "{quiet_schools:0:| Сейчас тихие часы в {quiet_schools:#школе|школах|школах}: "
    "там сообщения уйдут утром по местному времени.}"
    "{file:map:photo= Фото будет приложено к сообщению.|document= Файл будет приложен к "
    "сообщению.|none=}"
)
BUTTON_BROADCAST_SEND = "✅ Отправить"
BUTTON_BROADCAST_CANCEL = "✖ Отмена"
BUTTON_BROADCAST_STOP = "⏹ Остановить"
BUTTON_BROADCAST_REPORT = "📊 Отчёт о рассылках"
BROADCAST_NOTICE = "📢 {library}:\n\n{text}"
BROADCAST_STARTED = "Рассылка №{id} отправляется: {people:#сообщение|сообщения|сообщений}."
BROADCAST_NOBODY = "Рассылка №{id}: получателей нет — никто не подключён к боту."
BROADCAST_CANCELLED = "Рассылка отменена: никто ничего не получил."
BROADCAST_STOPPED = "Рассылка №{id} остановлена: не отправлено {n:#сообщение|сообщения|сообщений}."
BROADCAST_NOT_FOUND = "Рассылки №{id} нет."
BROADCAST_REPORTS_NONE = "Рассылок ещё не было. Начать — /broadcast."
BROADCAST_REPORT = (
    "№{id} от {date} ({audience}, {status}): {file:map:photo=📷 |document=📎 |none=}{quoted}\n"
    "   отправлено {sent}, в очереди {queued}, ждут утра {waiting}, недоступны {unreachable}, "
    "ошибки {failed}, отменено {cancelled}"
)
BROADCAST_STATUS = {"sending": "идёт", "cancelled": "остановлена", "done": "завершена"}
BROADCAST_SCOPE = {
    "school": "вся школа",
    "overdue": "должники",
    "class": "{class_name}",
    "grade": "все {grade}-е классы",
    "network": "библиотекари сети",
}
BROADCAST_WHOM_SHOWN = {
    "readers": "ученики",
    "parents": "только родители",
    "both": "ученики и родители",
}

# «Вашу книгу ждут» (db.holds._tell_borrowers) ---------------------------------------------------
# To the reader who has a copy of a record another reader has just queued for at their school:
# never who waits. While anyone waits the loan is not renewed (REFUSALS["renew_wanted"]). An
# overdue loan is asked back as the overdue reminders ask: no date to return it by.
NOTICE_BOOK_WANTED = Select(
    "state",
    {
        "overdue": (
            "📚 Книгу «{title}» ждёт другой читатель, а срок её возврата уже прошёл "
            "({due:date}). Пожалуйста, верните её в библиотеку как можно скорее."
        ),
        "*": (
            "📚 Книгу «{title}» ждёт другой читатель. Пожалуйста, верните её до {due:date} — "
            "продлить книгу, пока её ждут, не получится."
        ),
    },
)
NOTICES["loan.wanted"] = NOTICE_BOOK_WANTED

# Broadcasts: a photo or a file, a grade, an admin's to the network's librarians --------------

BROADCAST_PREVIEW_SHOWN = Select(
    "file",
    {
        "photo": "Так сообщение увидят получатели — текст и это фото:\n\n{shown}",
        "document": "Так сообщение увидят получатели — текст и файл «{name}»:\n\n{shown}",
        "*": "Так сообщение увидят получатели:\n\n{shown}",
    },
)
BROADCAST_NOTICE_FILE_ONLY = "📢 {library}"  # a photo or a file with no text: the sender above it
BROADCAST_FILE_TOO_BIG = (
    "Файл слишком большой: {size} МБ, а можно не больше {max_mb} МБ. Ничего не отправлено — "
    "пришлите фото или файл поменьше (или только текст)."
)
BROADCAST_FILE_EMPTY = "Файл не получилось принять. Пришлите его ещё раз."
BROADCAST_PICK_IN_GRADE = "{grade}-е классы: всем сразу или одному классу?"
BUTTON_BROADCAST_GRADE_MENU = "{grade}-е…"
BUTTON_BROADCAST_GRADE = "Все {grade}-е классы"
BROADCAST_NO_GRADE = "{grade}-х классов в библиотеке нет. Напишите класс (7Б) или параллель (7)."
BUTTON_BROADCAST_NETWORK = "👥 Библиотекарям сети"
BROADCAST_WHO_NETWORK = (
    "📢 Рассылка библиотекарям сети «{network}»: сообщение получит каждый библиотекарь "
    "каждой её школы."
)
BROADCAST_FROM_NETWORK = "{network} — библиотекарям"  # the sender in the header of an admin's
BROADCAST_QUOTED = "«{text}»"  # a report quotes the start of a broadcast's text
BROADCAST_NO_TEXT = "без текста"  # … or says a photo or file went alone

# Certificates of a finished project (messages.certificates) -----------------------------------
# A one-page PDF: the child's name as given (the nominative), what for, the project's title, the
# school, the date. Worded so that no verb has to agree with the child's gender.
CERTIFICATE_HEADING = "Сертификат"
CERTIFICATE_FOR = Select(
    "completed",
    {
        "yes": "за успешное завершение проекта",
        "*": "за участие в проекте",
    },
)
CERTIFICATE_PROJECT = "«{project}»"
CERTIFICATE_DATE = "{day:date} {day.year} г."
CERTIFICATE_FILE_NAME = "Сертификат — {project}.pdf"

# The e-library: student works and e-resources (handlers/elibrary.py) -------------------------

ELIB_WORK_SCHOOL = "Школа: {school}"
ELIB_WORK_PROJECT = "Проект: «{project}»"
ELIB_WORK_SCOPE = Select(
    "scope",
    {
        "public": "Работу видят все.",
        "network": "Работу видят все школы сети.",
        "library": "Работу видят только в школе автора.",
        "project": "Работу видят только участники проекта.",
        "*": "Работу видят только автор, его родители и библиотекарь.",
    },
)
ELIB_WITHDRAW_PENDING = "Просьба снять работу уже у библиотекаря."
BUTTON_ELIB_OPEN_WORK = "📎 Открыть работу"
BUTTON_ELIB_WITHDRAW = "Снять работу"
BUTTON_ELIB_WORK_LINK = "🔗 Открыть ссылку"
ELIB_WORK_FILE_CAPTION = "«{title}» — {authors}"
ELIB_WORK_TEXT = "«{title}» — {authors}\n\n{text}"
ELIB_WORK_NOTHING = "У этой работы нет ни файла, ни текста."
ELIB_WITHDRAW_SENT = (
    "Просьба снять работу «{title}» из электронной библиотеки отправлена библиотекарю. "
    "Ответ придёт сюда."
)
ELIB_NOTICE_WITHDRAW = (
    "🗂 Просят снять из электронной библиотеки работу «{title}»: {reader}, {class_name} "
    "(проект «{project}»)."
)
BUTTON_ELIB_WITHDRAW_YES = "Снять"
BUTTON_ELIB_WITHDRAW_NO = "Оставить"
ELIB_WITHDRAWN_STAFF = "Работа «{title}» снята из электронной библиотеки."
ELIB_KEPT_STAFF = "Работа «{title}» остаётся в электронной библиотеке."
NOTICE_ELIB_WITHDRAWN = "Вашу работу «{title}» сняли из электронной библиотеки, как вы просили."
NOTICE_ELIB_KEPT = (
    "Библиотекарь оставил работу «{title}» в электронной библиотеке. Если хотите всё же снять "
    "её — поговорите с библиотекарем."
)

ERES_HEADER = "Электронные коллекции сети. ✅ — ваша библиотека подписана, ➕ — подписать:"
ERES_NONE = "В сети пока нет электронных коллекций."
ERES_LINE = "{mark} {name}{notes}"
ERES_NOTE_OPEN = " — открыта всем, подписка не нужна"
ERES_NOTE_LENDS = " — выдаёт книги на время"
BUTTON_ERES = "{mark} {name}"
ERES_SUBSCRIBED = "Подписка на «{name}» включена: ваши читатели видят ссылки на её книги."
ERES_UNSUBSCRIBED = "Подписка на «{name}» снята."
ERES_COLLECTION = "Коллекция: {name}"
BUTTON_READ_ONLINE = "🌐 Читать онлайн"
ERES_NOT_SUBSCRIBED = "Ваша библиотека не подписана на «{name}» — читать онлайн отсюда нельзя."
ERES_LENDS = "«{name}» выдаёт книги на время: попросите доступ — библиотекарь откроет его."
ERES_ASKED = "Вы уже попросили доступ — библиотекарь ответит."
ERES_UNTIL = "Доступ открыт до {until:date}."
BUTTON_ERES_ASK = "Попросить доступ"
ERES_ASK_SENT = "Просьба отправлена библиотекарю. Когда он откроет доступ, сюда придёт ссылка."
ELOAN_NOTICE_ASKED = (
    "📚 {reader}, {class_name} просит доступ к электронной книге «{title}» ({collection})."
)
BUTTON_ELOAN_GRANT = "Выдать на {days} {days:день|дня|дней}"
BUTTON_ELOAN_REFUSE = "Отказать"
ELOAN_GRANTED_STAFF = "Доступ к электронной книге «{title}» открыт до {until:date}."
ELOAN_REFUSED_STAFF = "В доступе к электронной книге «{title}» отказано."
NOTICE_ELOAN_GRANTED = (
    "📚 Библиотека открыла вам электронную книгу «{title}» до {until:date}.\nЧитать: {url}"
)
NOTICE_ELOAN_REFUSED = (
    "Библиотека не смогла открыть вам электронную книгу «{title}». Подробности — у библиотекаря."
)
NOTICE_ELOAN_ENDED = (
    "Срок электронной книги «{title}» закончился. Не дочитали — попросите доступ ещё раз на "
    "карточке книги."
)

REFUSALS["work_gone"] = "Этой работы больше нет."
REFUSALS["work_not_publishable"] = "Эту работу вернули автору или сняли — публиковать её нельзя."
REFUSALS["eloan_not_subscribed"] = (
    "Ваша библиотека ({library}) не подписана на эту коллекцию — попросить доступ нельзя."
)
REFUSALS["eloan_already"] = "Вы уже попросили доступ к этой книге или он уже открыт."
REFUSALS["eloan_decided"] = "Эту просьбу уже рассмотрели."
REFUSALS["elib_withdraw_decided"] = "Об этой работе уже решили."
STAFF_REFUSALS = STAFF_REFUSALS | {"work_not_publishable", "eloan_decided", "elib_withdraw_decided"}

# Reading projects (handlers/projects.py, handlers/projects_desk.py, jobs/projects.py) --------

COMMAND_DESCRIPTIONS["projects"] = "Проекты чтения"
BROADCAST_SCOPE["project"] = "участники проекта"
PROJECT_ASK_TITLE = (
    "📚 Новый проект чтения. Как он называется? Например: «Читаем вместе: зимний марафон»."
)
PROJECT_ASK_AIM = "Проект «{title}». Какая у него цель? Одна-две фразы — их увидят участники."
PROJECT_ASK_DATES = (
    "Сроки проекта: напишите начало и конец, например «1.12–25.12» или «01.12.2026 - 25.12.2026»."
)
PROJECT_BAD_DATES = {
    "format": "Не понял сроки. Напишите начало и конец через тире, например «1.12–25.12».",
    "no_such_date": "Такой даты нет в календаре. Проверьте день и месяц, например «1.12–25.12».",
    "end_before_start": "Конец раньше начала. Напишите сроки ещё раз, например «1.12–25.12».",
    "past": "Эти сроки уже прошли. Напишите будущие даты, например «1.12–25.12».",
}
PROJECT_ASK_AUDIENCE = (
    "Для кого проект? Нажмите кнопку или напишите классы («7Б» или «7А, 7Б») "
    "либо параллели («7» или «7, 8»)."
)
BUTTON_PROJECT_SCHOOL = "🏫 Вся школа"
BUTTON_PROJECT_NETWORK = "🌐 Вся сеть"
PROJECT_NO_CLASS = "В школе нет {classes}. Напишите классы так, как они в формулярах: «7Б»."
PROJECT_BAD_AUDIENCE = (
    "«{typed}» — не понял. Напишите классы («7Б, 7А») или параллели («7, 8»), не вперемешку."
)
PROJECT_ASK_MODE = "Участники: {audience}. Как вступать в проект?"
BUTTON_PROJECT_OPEN = "Открыт всем — кнопкой"
BUTTON_PROJECT_INVITE = "По приглашению — по коду"
PROJECT_ASK_BOOKS = (
    "Список чтения. Напишите название или автора — я найду книгу в каталоге, "
    "а вы добавите её кнопкой ➕. Когда хватит — «готово»."
)
BUTTON_PROJECT_BOOKS_DONE = "✅ Готово"
BUTTON_PROJECT_ADD_BOOK = "➕ {n}"
PROJECT_BOOK_FOUND = "По запросу «{query}» нашлось — добавьте нужную:"
PROJECT_BOOK_NOTHING = "По запросу «{query}» ничего не нашлось. Попробуйте иначе."
PROJECT_BOOK_ADDED = (
    "В списке {n} {n:книга|книги|книг}:\n{titles}\n\nИщите следующую или нажмите «Готово»."
)
PROJECT_BOOK_NOT_ADDED = (
    "Эту книгу не добавить (она уже в списке или список полон). В списке {n} {n:книга|книги|книг}:"
    "\n{titles}"
)
PROJECT_ASK_TASKS = (
    "Задания проекта: вопрос, на который ответят текстом, или работа — текст, фото, файл "
    "или ссылка. Добавьте задание или запустите проект."
)
BUTTON_PROJECT_TASK_ANSWER = "✍ Вопрос"
BUTTON_PROJECT_TASK_SUBMIT = "📎 Работа"
BUTTON_PROJECT_LAUNCH = "🚀 Запустить"
PROJECT_ASK_TASK = {
    "answer": "Напишите вопрос и срок, например: «Кто ваш любимый герой и почему? до 15.12».",
    "submit": "Напишите задание и срок, например: «Нарисуйте обложку к книге до 20.12».",
}
PROJECT_BAD_TASK = (
    "Не понял срок. Напишите задание и в конце «до» с датой, например «Отзыв о книге до 20.12»."
)
PROJECT_TASK_AFTER_END = "Срок задания позже конца проекта ({ends:date}). Напишите срок раньше."
PROJECT_TASK_ADDED = "Задание добавлено: «{title}», срок до {due:date}."
PROJECT_TOO_MANY_TASKS = "Заданий уже достаточно — больше пяти не добавить. Запускайте проект."
PROJECT_EMPTY = "В проекте пока нет ни книг, ни заданий. Добавьте хотя бы задание."
PROJECT_LAUNCHED = "🚀 Проект «{title}» запущен."
PROJECT_CODE = "Код проекта: {code} — ученик пишет мне «/projects {code}» или открывает ссылку."
PROJECT_CODE_LINK = "\n{messenger}: {link}"
PROJECT_LIST_HEADER = "Проекты чтения:"
PROJECT_LIST_NONE = "Проектов пока нет. Создайте первый!"
PROJECT_LIST_LINE = "• «{title}» — {status}"
PROJECT_STATUS = {"draft": "черновик", "running": "идёт", "finished": "завершён"}
BUTTON_PROJECT_NEW = "➕ Новый проект"
PROJECT_CARD = (
    "📚 «{title}» — {status}\n{aim}\n"
    "Сроки: {starts:date} — {ends:date}. Участники: {audience}, "
    "{mode:map:open=вступают кнопкой|invite=вступают по коду}. Код: {code}.\n"
    "В списке {books} {books:книга|книги|книг}, {tasks} {tasks:задание|задания|заданий}."
)
PROJECT_AUDIENCE = {"school": "вся школа", "network": "вся сеть"}
PROJECT_AUDIENCE_GRADES = "параллели {grades}"
PROJECT_BY_CLASS = "По классам:"
PROJECT_NO_MEMBERS = "Пока никто не вступил."
PROJECT_CLASS_LINE = (
    "{class_name}: {members} {members:участник|участника|участников}, завершили {completed}, "
    "прочитано {read} {read:книга|книги|книг}, принято {accepted} {accepted:работа|работы|работ}"
)
PROJECT_MEMBER_LINE = "• {name}: прочитано {read} из {books}, заданий сдано {done} из {tasks}"
PROJECT_LEADERS = "🏆 Лидеры:"
BUTTON_PROJECT_REMIND = "📢 Написать участникам"
BUTTON_PROJECT_BOARD_ON = "🏆 Включить рейтинг"
BUTTON_PROJECT_BOARD_OFF = "🏆 Выключить рейтинг"
BUTTON_PROJECT_CODE = "🔗 Код и QR"
BUTTON_PROJECT_FINISH = "🏁 Завершить"
BUTTON_PROJECT_CURATOR = "👩‍🏫 Добавить куратора"
BUTTON_PROJECT_COPY = "📋 Скопировать"
BUTTON_PROJECT_WHOLE = "Весь проект"
PROJECT_WHOLE = "весь проект"
PROJECT_NO_CURATORS = (
    "Куратором может стать библиотекарь вашей школы или учитель с формуляром в ней, "
    "уже привязанный к боту. Таких пока нет: дайте учителю код привязки (/code)."
)
PROJECT_PICK_CURATOR = "Кто будет куратором?"
PROJECT_PICK_CURATOR_CLASS = "Какой класс будет у куратора?"
PROJECT_CURATOR_ADDED = "Куратор добавлен: «{title}», {scope}. Новые работы придут и куратору."
PROJECT_CERTIFICATE_NOTICE = (
    "🎓 Проект «{title}» завершён — поздравляем! Грамота участника во вложении."
)
PROJECT_SUMMARY = (
    "🏁 Проект «{title}» завершён ({school}, {starts:date} — {ends:date}).\n"
    "Для отчёта: {members} {members:участник|участника|участников}, "
    "завершили все задания — {completed}, прочитано {read} {read:книга|книги|книг}, "
    "принято {accepted} {accepted:работа|работы|работ}. Грамоты отправлены завершившим."
)
PROJECT_COPY_DATES = (
    "Копия проекта «{title}»: тот же список и задания. Напишите новые сроки, например «1.12–25.12»."
)
PROJECT_CURATED = "Проекты, которые вы курируете:"
PROJECT_NOT_LINKED = "Проекты видны читателям и родителям: пришлите код привязки от библиотекаря."
PROJECT_NONE_OPEN = "Сейчас нет проектов, открытых для вас. Если у вас есть код — «/projects КОД»."
PROJECT_OPEN_HEADER = "Проекты чтения:"
PROJECT_MINE_LINE = "• «{title}»: прочитано {read} из {books}, заданий сдано {done} из {tasks}"
PROJECT_OPEN_LINE = "• «{title}» — до {ends:date}, можно вступить"
PROJECT_CHILD_HEADER = "{name} в проектах:"
PROJECT_CHILD_NONE = "{name} пока не участвует в проектах."
PROJECT_NO_CODE = "Проекта с кодом «{code}» нет или он уже завершён."
PROJECT_JOIN_NOT_LINKED = (
    "Чтобы вступить в проект, сначала привяжите формуляр: код даст школьный библиотекарь."
)
PROJECT_JOIN_NOT_FOR_YOU = "Проект «{title}» — не для вашего класса, вступить в него нельзя."
PROJECT_JOINED = "Вы в проекте «{title}»! 🎉"
PROJECT_ALREADY_IN = "Вы уже в проекте «{title}»."
PROJECT_VIEW = (
    "📚 «{title}»\n{aim}\nСроки: {starts:date} — {ends:date}.\n"
    "Прочитано {read} из {books}, заданий сдано {done} из {tasks}.\n\nСписок чтения:"
)
BUTTON_PROJECT_READ = "✓ Прочитано: {n}"
PROJECT_TASKS_HEADER = "\nЗадания:"
PROJECT_TASK_LINE = "{n}. {title} — до {due:date}: {state}"
PROJECT_WORK_STATE = {
    "none": "не сдано",
    "submitted": "на проверке",
    "accepted": "✅ сдано",
    "returned": "↩ вернули на доработку",
}
PROJECT_WORK_COMMENT = "   Комментарий: {comment}"
BUTTON_PROJECT_ANSWER = "✍ Ответить: {n}"
BUTTON_PROJECT_SUBMIT = "📎 Сдать: {n}"
PROJECT_READ_MARKED = "Отмечено: книга прочитана. 📖"
PROJECT_SEND_WORK = {
    "answer": "«{title}» — напишите ответ одним сообщением.",
    "submit": ("«{title}» — пришлите работу: текст, фото, файл (до {max_mb} МБ) или ссылку."),
}
PROJECT_ANSWER_IS_TEXT = "На вопрос отвечают текстом — напишите ответ сообщением."
PROJECT_FILE_TOO_BIG = (
    "Файл слишком большой: {size} МБ, а можно не больше {max_mb} МБ. Пришлите поменьше или ссылку."
)
PROJECT_WORK_SENT = {
    "answer": "Ответ на вопрос «{title}» принят. Спасибо!",
    "submit": "Работа «{title}» отправлена на проверку. Я напишу, когда её посмотрят.",
}
PROJECT_WORK_FILE = {"photo": "(фото во вложении)", "document": "(файл во вложении)"}
PROJECT_WORK_NOTICE = (
    "📥 Новая работа в проекте «{title}»\nЗадание: {task}\n{name}, {class_name}\n\n{content}"
)
BUTTON_PROJECT_ACCEPT = "✅ Принять"
BUTTON_PROJECT_RETURN = "↩ Вернуть"
PROJECT_ACCEPTED = (
    "Работа принята: {name}, «{task}». Добавить её в электронную библиотеку? Кому показывать:"
)
PROJECT_SCOPE_BUTTONS = {
    "network": "🌐 Вся сеть",
    "library": "🏫 Только наша школа",
    "project": "👥 Участники проекта",
    "private": "🔒 Только автор",
}
PROJECT_PUBLISHED = "Работа в электронной библиотеке: {scope}."
PROJECT_ALREADY_PUBLISHED = "Эта работа уже в электронной библиотеке."
PROJECT_ALREADY_REVIEWED = "Эту работу уже проверили."
PROJECT_ASK_COMMENT = "Что доработать? Напишите комментарий — его получит автор."
PROJECT_RETURNED = "Работа возвращена с комментарием: {name}, «{task}»."
PROJECT_ACCEPTED_NOTICE = "✅ Вашу работу «{task}» в проекте «{title}» приняли. Молодец!"
PROJECT_RETURNED_NOTICE = (
    "↩ Работу «{task}» в проекте «{title}» вернули на доработку: {comment}\n"
    "Исправьте и сдайте снова — «/projects»."
)
PROJECT_DEADLINE_NOTICE = (
    "⏰ Завтра, {due:date}, срок задания «{task}» в проекте «{title}». Сдать — «/projects»."
)

# E-resource collections and new e-resources from chat (handlers/elibrary.py) ---------------

COMMAND_DESCRIPTIONS["eresources"] = "Подписки школы на электронные коллекции"
COMMAND_DESCRIPTIONS["collections"] = "Электронные коллекции сети"
COMMAND_DESCRIPTIONS["eresource_add"] = "Добавить электронный ресурс"
HELP_LIBRARIAN += (
    "\n• /eresources — на какие электронные коллекции подписана школа; /collections — коллекции сети;"
    "\n• /eresource_add Автор — Название 12+ | https://… | коллекция — добавить электронный ресурс "
    "(автор, возрастная метка и коллекция — по желанию; без коллекции ресурс открыт всем)."
)
HELP_ADMIN = (
    "\n\nМетодисту сети:"
    "\n• /broadcast — рассылка библиотекарям сети; /broadcasts — отчёт;"
    "\n• /collections — электронные коллекции сети (✏️ переименовать, 🗑 удалить);"
    "\n• «/collection_add ЛитРес: Школа | https://school.litres.ru | выдача» — добавить коллекцию "
    "(«выдача» — книги выдаются на время, «всем» — подписка не нужна);"
    "\n• /eresource_add Название | https://… | коллекция — добавить электронный ресурс."
)
COLLECTIONS_HEADER = "Электронные коллекции сети «{network}»:"
COLLECTIONS_LINE = "• {name}{notes} — {count} {count:ресурс|ресурса|ресурсов}"
COLLECTIONS_FOOTER = (
    "\nНазвание коллекции нужно для /eresource_add. Добавляет и меняет коллекции методист сети."
)
COLLECTIONS_FOOTER_ADMIN = (
    "\nНажмите на коллекцию, чтобы переименовать или удалить её. Добавить: "
    "/collection_add Название | https://… | выдача (или «всем»)."
)
COLLECTIONS_MORE = "Кнопки — у первых {shown}; остальные пока только в списке."
COLLECTIONS_NONE = "В сети «{network}» пока нет электронных коллекций. Добавляет их методист сети."
COLLECTIONS_NONE_ADMIN = (
    "В сети «{network}» пока нет электронных коллекций. Добавить: "
    "«/collection_add ЛитРес: Школа | https://school.litres.ru | выдача»."
)
BUTTON_COLLECTION = "⚙️ {name}"
COLLECTION_ADD_USAGE = (
    "Как добавить коллекцию: «/collection_add Название | ссылка | выдача».\n"
    "Например: «/collection_add ЛитРес: Школа | https://school.litres.ru | выдача».\n"
    "Ссылка — по желанию; «выдача» — библиотекарь выдаёт книги на время, «всем» — коллекция "
    "открыта всем без подписки."
)
COLLECTION_BAD_LINK = (
    "Ссылка «{link}» не подходит: она должна начинаться с http:// или https://. "
    "Пришлите команду ещё раз с исправленной ссылкой."
)
COLLECTION_BAD_PART = (
    "Не понял «{part}». Третья часть — «выдача» (книги выдаются на время) или «всем» "
    "(подписка не нужна); её можно не писать."
)
COLLECTION_ADDED = (
    "Коллекция «{name}» добавлена{notes}. Ссылка: {link}\n"
    "Школы подписываются на неё в /eresources, ресурсы добавляются командой /eresource_add."
)
COLLECTION_CARD = (
    "Коллекция «{name}»{notes}\nСсылка: {link}\n"
    "В каталоге: {count} {count:ресурс|ресурса|ресурсов}; "
    "{schools:подписана|подписаны|подписаны} {schools} {schools:школа|школы|школ}."
)
BUTTON_COLLECTION_RENAME = "✏️ Переименовать"
BUTTON_COLLECTION_REMOVE = "🗑 Удалить"
BUTTON_COLLECTION_REMOVE_YES = "🗑 Да, удалить"
BUTTON_COLLECTIONS_BACK = "⬅ К списку"
COLLECTION_ASK_NAME = "Как теперь называется коллекция «{name}»? Напишите новое название."
COLLECTION_NAME_EMPTY = "Напишите новое название коллекции (или /cancel)."
COLLECTION_RENAMED = "Коллекция «{old}» теперь называется «{name}»."
COLLECTION_REMOVE_CONFIRM = (
    "Удалить коллекцию «{name}» из списка сети? Подписки школ на неё тоже снимутся."
)
COLLECTION_REMOVED = "Коллекция «{name}» удалена из списка сети."
STOPPED["collections.rename_to"] = "Хорошо, название оставляем прежним."
STOPPED["eresource.add"] = "Хорошо, ресурс не добавляем."
REFUSALS["collection_exists"] = "Коллекция «{name}» в сети уже есть."
REFUSALS["collection_gone"] = "Этой коллекции уже нет в списке сети."
REFUSALS["collection_bad_name"] = "Название коллекции — от 1 до {limit} символов."
REFUSALS["collection_in_use"] = (
    "Коллекцию «{name}» удалить нельзя: в каталоге {count} {count:ресурс|ресурса|ресурсов} "
    "из неё. Сначала уберите или перенесите их — или просто переименуйте коллекцию."
)
REFUSALS["eresource_bad_link"] = "Ссылка должна начинаться с http:// или https://."
REFUSALS["eresource_exists"] = "Электронный ресурс «{title}» в этой коллекции уже есть в каталоге."
ERES_ADD_USAGE = (
    "Пришлите электронный ресурс одной строкой: «Название | https://ссылка | коллекция».\n"
    "Например: «Пушкин А. С. — Капитанская дочка 12+ | https://school.litres.ru/book/… | ЛитРес».\n"
    "Автор (перед тире), возрастная метка и коллекция — по желанию; без коллекции ресурс "
    "открыт всем. Коллекции сети — /collections."
)
ERES_ADD_PROBLEMS = {
    "no_title": "Не вижу названия — оно идёт первым, до «|».",
    "no_link": "Не вижу ссылки — она идёт после названия через «|».",
    "bad_link": "Ссылка «{link}» не подходит: она должна начинаться с http:// или https://.",
}
ERES_ADD_AGAIN = (
    "{problem}\nПришлите строку ещё раз, исправив её (команду повторять не нужно), или /cancel. "
    "Вы прислали:\n{line}"
)
ERES_ADD_WHICH = "Какой коллекции «{title}»? «{typed}» в списке сети не нашёл — выберите:"
BUTTON_ERES_NO_COLLECTION = "Без коллекции (всем)"
ERES_ADDED = "🌐 В каталоге: «{title}»{authors}{age}\nСсылка: {url}"
ERES_ADDED_OPEN = "Без коллекции: читать онлайн может любой, кто найдёт его поиском."
ERES_ADDED_IN = "Коллекция «{name}»{notes}. «Читать онлайн» видят читатели подписанных на неё школ."
ERES_ADDED_NOT_SUBSCRIBED = (
    "Ваша школа на «{name}» не подписана — ваши читатели ссылку не увидят. Подписать: /eresources"
)

# Reminding a project's members who are behind (a broadcast, audience «behind»).
BUTTON_PROJECT_REMIND_BEHIND = "⏰ Напомнить отстающим"
BROADCAST_SCOPE["behind"] = "участники проекта, которые ещё не всё сделали"

# The fund: receipts, write-offs, the fund today (/receipt, /writeoff, /fund; handlers/fund.py).
COMMAND_DESCRIPTIONS["receipt"] = "Поступление книг в фонд"
COMMAND_DESCRIPTIONS["writeoff"] = "Списание книг (акт)"
COMMAND_DESCRIPTIONS["fund"] = "Фонд на сегодня"
FUND_KINDS = {
    "textbook": "учебники",
    "aid": "учебные пособия",
    "fiction": "художественная литература",
    "reference": "справочные издания",
    "other": "прочие",
}
FUND_MEDIA = {
    "print": "печатные",
    "audiovisual": "аудиовизуальные",
    "electronic": "электронные",
}
FUND_SOURCES = {
    "purchase": "закупка",
    "gift": "дар",
    "replacement": "взамен утерянных",
    "transfer": "из другой библиотеки",
    "import": "перенос каталога",
}
FUND_REASONS = {
    "lost": "утеряны",
    "worn": "ветхость",
    "outdated": "устарели",
    "transferred": "переданы",
}
BUTTON_FUND_TODAY = "Сегодня"
BUTTON_FUND_SAVE = "✅ Записать"
BUTTON_FUND_CANCEL = "✖ Отмена"
BUTTON_FUND_TEXTBOOKS_ON = "Считать учебники"
BUTTON_FUND_TEXTBOOKS_OFF = "Не считать учебники"
FUND_ASK_RECEIPT_DATE = (
    "Поступление в фонд. Какого числа пришли книги? Напишите «сегодня» или дату: «12.09.2026»."
)
FUND_ASK_WRITE_OFF_DATE = "Списание. Какой датой акт? Напишите «сегодня» или дату: «12.09.2026»."
FUND_BAD_DATE = (
    "Не понял дату «{typed}». Напишите «сегодня» или дату числами: «12.09.2026» (или /cancel)."
)
FUND_FUTURE_DATE = "{day:date} {year} ещё не наступило. Напишите дату не позже сегодняшней."
FUND_ASK_SOURCE = "Поступление {day:date} {year}. Откуда книги?"
FUND_ASK_REASON = "Акт от {day:date} {year}. Причина списания?"
FUND_ASK_RECEIPT_DOCUMENT = (
    "Номер документа — накладной, акта приёма, письма: например «Накладная № 15». "
    "Если номера нет, напишите «-»."
)
FUND_ASK_ACT = "Номер акта списания: например «Акт № 3». Если номера нет, напишите «-»."
FUND_DOCUMENT_TOO_LONG = (
    "Напишите номер документа — не длиннее {max} символов (или «-», если номера нет)."
)
FUND_ASK_RECEIPT_COPIES = (
    "Инвентарные номера (или штрихкоды) пришедших экземпляров: через запятую или пробел, "
    "подряд идущие — диапазоном «1001–1040»."
)
FUND_ASK_WRITE_OFF_COPIES = (
    "Инвентарные номера (или штрихкоды) списываемых экземпляров: через запятую или пробел, "
    "подряд идущие — диапазоном «1001–1040»."
)
FUND_ASK_LOST_COPIES = (
    FUND_ASK_WRITE_OFF_COPIES + "\nЕсли утерянную книгу заменили другой, допишите после её "
    "номера «взамен:» и номер новой: «1005 взамен: 2001» — новая поступит в фонд "
    "этим же актом."
)
FUND_NO_NUMBERS = "Не вижу номеров. Пришлите инвентарные номера (или /cancel)."
FUND_BAD_REPLACEMENT = (
    "Не понял замену «{typed}». Пишите так: «1005 взамен: 2001» — утерянная, затем новая."
)
FUND_KIND_LINE = "{kind} — {n}"
FUND_RECEIPT_PREVIEW = (
    "Поступление {day:date} {year}: {source}, документ: {document}.\n"
    "{n:#экземпляр|экземпляра|экземпляров} ({kinds}).\n"
    "Записать?"
)
FUND_WRITE_OFF_PREVIEW = (
    "Акт списания от {day:date} {year}: {why}, документ: {document}.\n"
    "{n:#экземпляр|экземпляра|экземпляров} ({kinds}){on_loan}{replaced}.\n"
    "Записать?"
)
FUND_WRITE_OFF_ON_LOAN = "; из них на руках у читателей: {n} — эти выдачи закроются"
FUND_WRITE_OFF_REPLACED = "; взамен поступят: {n}"
FUND_NO_DOCUMENT = "без номера"
FUND_RECEIPT_SAVED = (
    "Записано: поступление № {id} от {day:date} {year}, "
    "{n:#экземпляр|экземпляра|экземпляров}. Фонд на сегодня — /fund"
)
FUND_WRITE_OFF_SAVED = (
    "Записано: акт списания № {id} от {day:date} {year}, "
    "{n:#экземпляр|экземпляра|экземпляров}{closed}{replaced}. Фонд на сегодня — /fund"
)
FUND_SAVED_CLOSED = "; закрыто выдач: {n}"
FUND_SAVED_REPLACED = "; взамен поступило: {n}"
FUND_CANCELLED = "Хорошо, ничего не записываю."
FUND_TODAY = "Фонд библиотеки на {day:date} {year}: {n:#экземпляр|экземпляра|экземпляров}{how}."
FUND_TODAY_WITH_TEXTBOOKS = ", учебники считаются"
FUND_TODAY_WITHOUT_TEXTBOOKS = ", без учебников"
FUND_TODAY_EMPTY = (
    "\nВ фонде пока нет ни одного экземпляра с записанным поступлением. Поступления "
    "записывает /receipt; старый каталог целиком — «python -m bot fund record-import»."
)
FUND_TODAY_MEDIUM = "По видам носителей: {media}."
FUND_TODAY_NO_RECEIPT = (
    "Без записи о поступлении: {n:#экземпляр|экземпляра|экземпляров} (в фонде не считаются)."
)
FUND_TEXTBOOKS_HINT = "Считать ли учебники в фонде — /fund_textbooks да или нет."
FUND_TEXTBOOKS_USAGE = (
    "Напишите /fund_textbooks да — учебники в фонде считаются, или /fund_textbooks нет."
)
FUND_TEXTBOOKS_ON = "Теперь учебники в фонде считаются: в показателях и отчётах фонд — с ними."
FUND_TEXTBOOKS_OFF = (
    "Теперь учебники в фонде не считаются: показатели и отчёты считают фонд без них "
    "(в форме ОО-2 учебники всё равно отдельной строкой)."
)
STOPPED["fund.receipt_date"] = "Хорошо, поступление не записываем."
STOPPED["fund.receipt_document"] = "Хорошо, поступление не записываем."
STOPPED["fund.receipt_copies"] = "Хорошо, поступление не записываем."
STOPPED["fund.write_off_date"] = "Хорошо, списание не записываем."
STOPPED["fund.write_off_document"] = "Хорошо, списание не записываем."
STOPPED["fund.write_off_copies"] = "Хорошо, списание не записываем."
REFUSALS["fund_bad_range"] = (
    "Диапазон «{range}» не подходит: первый номер — меньший, и не больше {max} номеров в одном "
    "диапазоне. Пришлите номера ещё раз (или /cancel)."
)
REFUSALS["fund_unknown_copies"] = (
    "В библиотеке нет {n:экземпляра|экземпляров|экземпляров} с такими номерами: {numbers}. "
    "Проверьте и пришлите номера ещё раз (или /cancel)."
)
REFUSALS["fund_copies_gone"] = "Некоторых из этих экземпляров в библиотеке уже нет."
REFUSALS["fund_no_copies"] = "Не названо ни одного экземпляра."
REFUSALS["fund_already_received"] = (
    "Поступление уже записано для {n:экземпляра|экземпляров|экземпляров}: {numbers}. "
    "Уберите {n:его|их|их} и пришлите номера ещё раз (или /cancel)."
)
REFUSALS["fund_already_written_off"] = (
    "Уже {n:списан|списаны|списаны}: {numbers}. Уберите {n:его|их|их} и пришлите номера ещё раз "
    "(или /cancel)."
)
REFUSALS["fund_not_received"] = (
    "Для {n:экземпляра|экземпляров|экземпляров} {numbers} не записано поступление — "
    "списать можно только то, что в фонде. Запишите поступление (/receipt) или перенос старого "
    "каталога (python -m bot fund record-import)."
)
REFUSALS["fund_received_later"] = (
    "{numbers}: {n:поступил|поступили|поступили} позже даты акта. Проверьте дату или номера."
)
REFUSALS["fund_on_hold_shelf"] = (
    "{numbers}: на полке заказов — {n:его|их|их} ждёт читатель. Сначала снимите бронь."
)
REFUSALS["fund_on_loan"] = (
    "{numbers}: на руках у {n:читателя|читателей|читателей}. Книгу на руках можно списать "
    "только как утерянную; иначе сначала примите её (/return)."
)
REFUSALS["fund_replace_not_lost"] = "Замена бывает только у утерянных книг."
REFUSALS["fund_replace_not_in_act"] = "Заменять можно только книги, которые списываются этим актом."
REFUSALS["fund_replace_twice"] = "Одна новая книга не может заменить две утерянные."
REFUSALS["fund_replace_received"] = (
    "{numbers}: {n:этот экземпляр|эти экземпляры|эти экземпляры} уже в фонде или списан"
    "{n:|ы|ы} — заменить утерянную {n:им|ими|ими} нельзя."
)
STAFF_REFUSALS = STAFF_REFUSALS | {
    "fund_bad_range",
    "fund_unknown_copies",
    "fund_copies_gone",
    "fund_no_copies",
    "fund_already_received",
    "fund_already_written_off",
    "fund_not_received",
    "fund_received_later",
    "fund_on_hold_shelf",
    "fund_on_loan",
    "fund_replace_not_lost",
    "fund_replace_not_in_act",
    "fund_replace_twice",
    "fund_replace_received",
}
CLI_FUND_BAD_DATE = "Дата «{value}» не подходит: нужна ГГГГ-ММ-ДД, например 2025-09-01."
CLI_FUND_IMPORTED = (
    "{code}: записано поступление № {id} от {day:date} {year} («перенос каталога»): "
    "{n:#экземпляр|экземпляра|экземпляров}."
)
CLI_FUND_NOTHING = "{code}: у всех экземпляров поступление уже записано — записывать нечего."

# Figures (issue 16): the statutory indicators with their formulas (messages/indicators.py) and
# the library's events (/event, handlers/indicators.py).
INDICATOR_NAMES = {
    "reading": "читаемость",
    "attendance": "посещаемость",
    "turnover": "обращаемость",
    "supply": "книгообеспеченность",
}
INDICATOR_TERMS = {
    "readers": "читатели",
    "visits": "посещения",
    "loans": "выдачи",
    "fund": "фонд",
}
INDICATOR_FORMULA = "{name} = {top_term} ÷ {bottom_term} = {top} ÷ {bottom} = {value}"
INDICATOR_NO_VALUE = "—"
INDICATOR_READERS = (
    "читатели — записанные в библиотеку, кто за период хоть раз приходил к стойке (взять, "
    "вернуть, продлить книгу, забрать заказ): {n}"
)
INDICATOR_VISITS = "посещения = дни у стойки + гости мероприятий = {desk} + {events} = {visits}"
INDICATOR_LOANS = "выдачи — книги, выданные за период: {n}"
INDICATOR_FUND = Select(
    "textbooks",
    {
        "True": "фонд — экземпляры на {day:date} {day.year}, учебники в том числе: {n}",
        "False": "фонд — экземпляры на {day:date} {day.year}, без учебников: {n}",
        "*": "фонд — экземпляры школ на {day:date} {day.year}; школы считают учебники по-разному: {n}",
    },
)
EVENT_USAGE = (
    "Запишите мероприятие: /event дата название число гостей, например\n"
    "/event 12.11 Встреча с писателем 45\n"
    "Гости мероприятий входят в посещения библиотеки."
)
EVENT_BAD_DATE = "Не понял дату «{text}» — напишите её так: 12.11 или 12.11.2026."
EVENT_FUTURE = "{day:date} ещё не наступило — запишите мероприятие, когда оно пройдёт."
EVENT_NO_VISITORS = (
    "Не вижу числа гостей — напишите его последним: /event 12.11 Встреча с писателем 45"
)
EVENT_BAD_VISITORS = "Гостей может быть от 1 до {most}."
EVENT_NO_TITLE = "Не вижу названия — оно идёт между датой и числом гостей."
EVENT_TITLE_LONG = "Название длинновато: не больше {most} знаков."
EVENT_RECORDED = "🎉 Записано: «{title}», {day:date} {day.year}, {n:#гость|гостя|гостей}."
EVENT_RECENT = "Мероприятия за последние 30 дней:"
EVENT_LINE = "{day:date} — «{title}», {n:#гость|гостя|гостей}"
EVENT_NONE_RECENT = "За последние 30 дней мероприятий не записано."
BUTTON_EVENT_REMOVE = "↩️ Удалить запись"
EVENT_REMOVED = "Запись о мероприятии «{title}» ({day:date}) удалена."
EVENT_GONE = "Этой записи уже нет."
COMMAND_DESCRIPTIONS["event"] = "Записать мероприятие библиотеки"

# Reports (issue 16): the charts' and the spreadsheet's words (messages/report_charts.py,
# messages/report_xlsx.py).
REPORT_CHART_LOANS = "Выдачи по месяцам"
REPORT_CHART_WANTED = "Самые востребованные книги"
REPORT_CHART_OVERDUE = "Просрочено по классам"
REPORT_CHART_TEXTBOOKS = "Обеспеченность учебниками"
REPORT_CHART_EMPTY = "Пока нет данных"
REPORT_CHART_NO_OVERDUE = "Просроченных книг нет"

# Reports (issue 16), continued: the spreadsheet's words (messages/report_xlsx.py).
XLSX_SHEET_INDICATORS = "Показатели"
XLSX_SHEET_MONTHS = "Выдачи по месяцам"
XLSX_SHEET_WANTED = "Спрос"
XLSX_SHEET_OVERDUE = "Задолженность по классам"
XLSX_SHEET_COVERAGE = "Обеспеченность учебниками"
XLSX_SHEET_OO2 = "ОО-2 2.6"
XLSX_SHEET_REGISTER_1 = "КСУ ч.1"
XLSX_SHEET_REGISTER_2 = "КСУ ч.2"
XLSX_SHEET_REGISTER_3 = "КСУ ч.3"
XLSX_PERIOD = "Период: {start:date} {start.year} — {end:date} {end.year}"
XLSX_YEAR = "{year} год"
XLSX_INDICATOR = "Показатель"
XLSX_VALUE = "Значение"
XLSX_FORMULA = "Как считается"
XLSX_COUNTS = {
    "readers": "Читатели",
    "desk_visits": "Посещения: дни у стойки",
    "event_visitors": "Посещения: гости мероприятий",
    "visits": "Посещения всего",
    "loans": "Выдачи",
    "fund": "Фонд, экземпляров",
}
XLSX_VISITS_FORMULA = "дни у стойки + гости мероприятий"
XLSX_RATIO_FORMULA = "{top} ÷ {bottom}"
XLSX_TEXTBOOKS_NOTE = {
    "True": "Фонд посчитан вместе с учебниками.",
    "False": "Фонд посчитан без учебников.",
    "None": "Школы считают фонд по-разному: одни с учебниками, другие без.",
}
XLSX_TOTAL = "Итого"
XLSX_MONTH = "Месяц"
XLSX_MONTH_NAME = "{month:map:1=январь|2=февраль|3=март|4=апрель|5=май|6=июнь|7=июль|8=август|9=сентябрь|10=октябрь|11=ноябрь|12=декабрь} {year}"
XLSX_LOANS = "Выдачи"
XLSX_TITLE = "Книга"
XLSX_WANTED = "Выдачи и заказы"
XLSX_WANTED_NOTE = "Спрос — выдачи и заказы (брони) книги за период; издания одной книги вместе."
XLSX_CLASS = "Класс"
XLSX_NO_CLASS = "без класса"
XLSX_OVERDUE_READERS = "Должников"
XLSX_OVERDUE_LOANS = "Книг просрочено"
XLSX_TEXTBOOK = "Учебник"
XLSX_HOLDING = "Есть у учеников"
XLSX_STUDENTS = "Учеников в классе"
XLSX_SHARE = "Доля"
XLSX_OO2_ROW = "Фонд"
XLSX_RECEIVED = "Поступило за год"
XLSX_WRITTEN_OFF = "Выбыло за год"
XLSX_HELD = "Состоит на конец года"
XLSX_WHOLE_FUND = "Весь фонд"
XLSX_OO2_NOTE = "Учебники в форме ОО-2 учитываются всегда — у них своя строка."
XLSX_FUND_KINDS = {
    "textbook": "учебники",
    "aid": "учебные пособия",
    "fiction": "художественная литература",
    "reference": "справочные издания",
    "other": "прочие",
}
XLSX_MEDIA = {
    "print": "печатные издания",
    "audiovisual": "аудиовизуальные документы",
    "electronic": "электронные издания",
}
XLSX_DATE = "Дата"
XLSX_DOCUMENT = "Документ"
XLSX_SOURCE = "Источник"
XLSX_REASON = "Причина"
XLSX_ALL = "Всего"
XLSX_SOURCES = {
    "purchase": "закупка",
    "gift": "дар",
    "replacement": "взамен утерянных",
    "transfer": "передача",
    "import": "перенос каталога",
}
XLSX_REASONS = {
    "lost": "утеряны читателями",
    "worn": "ветхость",
    "outdated": "устарели по содержанию",
    "transferred": "переданы",
}
XLSX_REGISTER_ROWS = {
    "start": "На начало года",
    "received": "Поступило",
    "written_off": "Выбыло",
    "end": "На конец года",
}
XLSX_REGISTER_NOTE = {
    "True": "Учебники учтены вместе с остальным фондом.",
    "False": "Без учебников: они учитываются в своей книге суммарного учёта.",
}

# Reports (issue 16), continued: /report, /stats, the weekly digest (handlers/reports.py,
# jobs/reports.py).
REPORT_HEADER = "📊 Отчёт: {library}, {start:date} {start.year} — {end:date} {end.year}"
REPORT_NETWORK_HEADER = "📊 Сеть «{network}», {start:date} {start.year} — {end:date} {end.year}"
REPORT_COUNTS = (
    "Читатели: {readers} · посещения: {visits} · выдачи: {loans} · фонд: {fund} "
    "{fund:экземпляр|экземпляра|экземпляров}"
)
REPORT_OVERDUE = (
    "Просрочено сейчас: {n:#книга|книги|книг} у {readers:#читателя|читателей|читателей}."
)
REPORT_NO_OVERDUE = "Просроченных книг сейчас нет."
REPORT_WANTED = "Чаще всего спрашивали: {titles}."
REPORT_FILES = "Ниже — графики и таблица xlsx со всеми листами и формулами."
REPORT_FILES_NETWORK = "Ниже — графики и таблица xlsx по школам (только числа, без имён)."
REPORT_SCHOOL_LINE = (
    "• {school}: читатели {readers}, выдачи {loans}, читаемость {reading}, "
    "посещаемость {attendance}"
)
REPORT_TOTAL_LINE = (
    "Итого по сети: читатели {readers}, выдачи {loans}, читаемость {reading}, "
    "посещаемость {attendance}, фонд {fund}"
)
REPORT_BAD_PERIOD = (
    "Не понял период «{typed}». Можно так: /report, /report за четверть, за прошлую четверть, "
    "за месяц, за прошлый месяц, за неделю, за год, за учебный год, за 2026 год."
)
REPORT_CHART_SCHOOLS = "Читаемость по школам"
REPORT_XLSX_CAPTION = "Таблица: все показатели с формулами, ОО-2 и книга суммарного учёта"
REPORT_XLSX_CAPTION_NETWORK = "Таблица: показатели по школам и по сети"
REPORT_WEEKLY_USAGE = (
    "Еженедельная сводка по понедельникам: /report_weekly да — включить, /report_weekly нет — "
    "выключить. Сейчас: {on:map:True=включена|False=выключена}."
)
REPORT_WEEKLY_ON = (
    "✅ Сводка включена: каждый понедельник утром — цифры прошлой недели. "
    "Выключить: /report_weekly нет"
)
REPORT_WEEKLY_OFF = "Сводка выключена. Включить снова: /report_weekly да"
REPORT_DIGEST = (
    "📊 Неделя {start:date} — {end:date}, {library}: выдачи {loans}, посещения {visits}, "
    "читатели {readers}. Просрочено сейчас: {overdue:#книга|книги|книг}. Подробно: /report"
)
REPORT_DIGEST_NETWORK = (
    "📊 Неделя {start:date} — {end:date}, сеть «{network}»: выдачи {loans}, посещения {visits}, "
    "читатели {readers}.\n{schools}\nПодробно: /stats"
)
REPORT_DIGEST_SCHOOL = "• {school}: выдачи {loans}, посещения {visits}"
COMMAND_DESCRIPTIONS["report"] = "Отчёт библиотеки: цифры, графики, таблица"
COMMAND_DESCRIPTIONS["report_weekly"] = "Сводка по понедельникам: да или нет"
HELP_ADMIN += (
    "\n• /stats — показатели сети по школам и итого, графики и таблица xlsx (только числа); "
    "/report_weekly да — сводка каждый понедельник."
)
HELP_LIBRARIAN += (
    "\n• /report — отчёт с графиками и таблицей xlsx («отчёт за четверть», «статистика за год»); "
    "/report_weekly да — сводка каждый понедельник."
)

# Reports (issue 16), continued: python -m bot report (bot/report_cli.py).
CLI_REPORT_COUNTING = (
    "Считаю показатели: {name}, {start:date} {start.year} — {end:date} {end.year}…"
)
CLI_REPORT_DRAWING = "Рисую графики и собираю таблицу…"
CLI_REPORT_DONE = "Готово."
CLI_REPORT_BAD_PERIOD = "Начало периода позже его конца."
CLI_REPORT_NO_NETWORK = "Такой сети нет."

# The fund and the library's events in the librarian's /help (handlers/fund.py, indicators.py).
HELP_LIBRARIAN += (
    "\n• /receipt — записать поступление книг (накладная, инвентарные номера); /writeoff — акт "
    "списания; /fund — фонд на сегодня по видам изданий; /event — мероприятие для отчёта."
)
XLSX_MONTHS_SPAN = "Двенадцать месяцев, до конца периода: {first} — {last}"

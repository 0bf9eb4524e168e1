"""Intents as frames: the words a request must contain, in any order, and what else it may.

A frame matches a message when every `need` term is among its words (a term is one word or a
choice «a|b», «@group» for a lexicon group) and every other word is either allowed
(`allow`, the fillers of lexicon.FILLERS, a slot a finder took — class, grade, inventory number,
school subject) or the frame's `rest`: the query, the reader's name (`reader`: a lone surname,
when no word says a reader is meant) or the question. A frame
with no rest allows nothing else, and that is what keeps titles titles: «привет» greets,
«привет из прошлого» is a book. A query is the run of words between the first and the last
word left over, so a title keeps its «и» and «в», and a needed word inside that run spoils it.

When several frames match, the one that explains most — needed words plus slots found — wins,
then the one that leaves fewer words to its rest, then the earlier in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from nlu.understand import slots as finders
from nlu.understand.lexicon import FILLERS, group_words
from nlu.understand.words import Word

Finder = Callable[[Sequence[Word], set[int]], "finders.Found"]
FINDERS: dict[str, Finder] = {
    "class_name": finders.find_class,
    "grade": finders.find_grade,
    "inventory": finders.find_inventory,
    "subject": finders.find_school_subjects,
}
RESTS = ("query", "name", "reader", "issue", "question")
POLITE = frozenset({"пожалуйста", "плиз", "плз", "пж", "пжл", "пожалуста"})
_FEMININE_READERS = frozenset({"ученица", "читательница", "школьница", "девочка"})
_SEEKING = frozenset({"найти", "показать", "искать", "поискать", "открыть"})


@dataclass(frozen=True, slots=True)
class Frame:
    intent: str
    need: tuple[frozenset[str], ...]
    allow: frozenset[str]
    rest: str | None = None  # what the words left over are: one of RESTS, or nothing allowed
    rest_required: bool = False
    constants: tuple[tuple[str, str], ...] = ()  # slots the frame itself fills: kind=summer
    find: tuple[str, ...] = ()  # finders run on the words the needs left
    must_find: tuple[str, ...] = ()
    first: bool = False  # the first need must be the message's first word
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    intent: str
    slots: dict[str, str]
    score: int
    left: int
    order: int
    frame: Frame = field(repr=False)


def _terms(spec: str) -> tuple[frozenset[str], ...]:
    groups = group_words()
    terms = []
    for term in spec.split():
        words: set[str] = set()
        for choice in term.split("|"):
            words |= groups[choice[1:]] if choice.startswith("@") else {choice}
        terms.append(frozenset(words))
    return tuple(terms)


def _words(spec: str) -> frozenset[str]:
    return frozenset().union(*_terms(spec)) if spec.strip() else frozenset()


def frame(
    intent: str,
    need: str,
    *,
    allow: str = "",
    rest: str | None = None,
    rest_required: bool = False,
    constants: dict[str, str] | None = None,
    find: str = "",
    must_find: str = "",
    first: bool = False,
    examples: tuple[str, ...] = (),
) -> Frame:
    if rest is not None and rest not in RESTS:
        raise ValueError(f"unknown rest {rest!r}")
    return Frame(
        intent,
        _terms(need),
        _words(allow) | FILLERS,
        rest,
        rest_required,
        tuple((constants or {}).items()),
        tuple(find.split()),
        tuple(must_find.split()),
        first,
        examples,
    )


WEEKDAYS = "понедельник вторник среда четверг пятница суббота воскресенье выходной каникулы"
WHEN_DAY = f"сегодня завтра послезавтра сейчас в во по после {WEEKDAYS}"


@cache
def table() -> tuple[Frame, ...]:
    """Every frame, in the order that breaks ties."""
    return (
        # Greetings and thanks: the greeting alone (and a name: «Здравствуйте, Мария Ивановна»)
        frame("greeting", "@greet", allow="всем вам тебе сутки", rest="name",
              examples=("привет", "Здравствуйте!", "добрый день", "ghbdtn")),
        frame("thanks", "@thank",
              allow="большой огромный вы ты очень за помощь помочь книга весь всё ок хорошо "
                    "понятно ясно выручить от душа you",
              examples=("спасибо", "спс", "Спасибо большое!")),
        # What the bot can do
        frame("help", "@help", allow="какой есть мне нужный нужна ты я по",
              examples=("помощь", "Помогите!", "справка", "какие есть команды")),
        frame("help", "что уметь", allow="ты вы делать а еще",
              examples=("что ты умеешь?", "что умеешь")),
        frame("help", "что ты мочь", allow="делать а еще", examples=("а что ты можешь",)),
        frame("help", "как пользоваться", allow="ты вы бот это этот не понимать я здесь тут",
              examples=("как пользоваться", "как тобой пользоваться")),
        frame("help", "как работать", allow="это этот ты бот весь здесь тут с",
              examples=("как это работает",)),
        frame("help", "ты такой", allow="что кто", examples=("что ты такое",)),
        frame("help", "не понимать", allow="я что как писать делать тут здесь ты тобой",
              examples=("я не понимаю что писать",)),
        frame("help", "что можно делать", allow="тут здесь ты с", examples=("что можно делать",)),
        # A reader's own books (a parent's: their child's)
        frame("my_books", "@me @book",
              allow="какой что весь список сейчас у есть на рука @took взять мне который",
              examples=("мои книги", "Мои книги", "какие у меня книги", "какие книги я взял")),
        frame("my_books", "мой", examples=("мои",)),
        frame("my_books", "формуляр", allow="@me", examples=("мой формуляр",)),
        frame("my_books", "что у я", allow="на рука сейчас есть взять @took",
              examples=("что у меня на руках?", "что у меня")),
        frame("my_books", "@child @book", allow="какой у мой сейчас есть @took что",
              examples=("книги ребёнка", "книги детей", "какие книги у сына")),
        frame("my_books", "что @took @child|я", allow="мой сейчас", examples=("что взяла дочка",)),
        frame("my_books", "рука @child", allow="что на у сейчас какой книга мой",
              examples=("что сейчас на руках у сына",)),
        frame("my_books", "@me @now_read", allow="что какой сейчас книга",
              examples=("что я сейчас читаю",)),
        frame("loan_count", "сколько @book",
              allow="я у мой на рука сейчас @took есть должный вернуть сдать @child во",
              examples=("сколько у меня книг", "сколько книжек я взял", "кол-во книг у меня")),
        frame("due_dates", "@when @return_verb",
              allow="какой до мне надо нужно @book я у мой @child срок день остаться",
              examples=("когда сдавать", "Когда сдавать книгу?", "до какого числа вернуть книги",
                        "когда мне нести", "срок сдачи")),
        frame("due_dates", "срок @me", allow="какой у книга", examples=("какой у меня срок",)),
        frame("due_dates", "до число", allow="какой у я мой книга",
              examples=("до какого числа у меня книга",)),
        frame("due_dates", "долг|просрочка|просрочить|просроченный @me",
              allow="у есть не ли книга какой", examples=("у меня есть долги?",)),
        frame("renew_all", "@renew весь|все|всё|оба|обе",
              allow="книга книжка мой мне я сразу что у есть можно @child",
              examples=("продли всё", "продлить все книги", "продли все мои книги")),
        frame("renew", "@renew", rest="query",
              allow="книга книжка срок сдача мне я можно на неделя день пара хотеть хочу нужно "
                    "надо @child не успевать дочитать",
              examples=("продли книгу", "Продлить", "продлите мне книгу", "продли войну и мир",
                        "можно продлить?")),
        frame("renew", "подержать", allow="можно книга подольше мне",
              examples=("можно ещё подержать книгу",)),
        # Holds: placing, cancelling, looking at them
        frame("cancel_hold", "@cancel @hold|@hold_verb", rest="query",
              allow="на мой мне я @child книга от этот не надо @need уже",
              examples=("отмени бронь на дубровского", "отмените бронь", "сними бронь")),
        frame("cancel_hold", "не @need|надо", rest="query",
              allow="больше мне уже книга бронировать бронь забронировать брать этот @cancel",
              examples=("не нужна книга", "мне больше не нужна капитанская дочка")),
        frame("cancel_hold", "передумать", rest="query", allow="брать взять книга я бронировать",
              examples=("передумал брать книгу",)),
        frame("reserve", "@hold_verb", rest="query", rest_required=True,
              allow="мне меня я хотеть хочу можно на книга себе",
              examples=("Забронируйте «Капитанскую дочку»", "отложите мне 1984")),
        frame("reserve", "хотеть взять", rest="query", rest_required=True,
              allow="я мне бы книга почитать", examples=("хочу взять гарри поттера",)),
        frame("reserve", "можно взять", rest="query", rest_required=True, allow="мне я книга",
              examples=("можно взять дубровского",)),
        frame("reserve", "=возьму", rest="query", rest_required=True, allow="я книга",
              examples=("возьму маленького принца",)),
        frame("reserve", "дать", rest="query", rest_required=True, allow="мне книга",
              examples=("дайте мне алые паруса",)),
        frame("reserve", "бронь на", rest="query", rest_required=True,
              examples=("бронь на тихий дон",)),
        frame("reserve", "записать на", rest="query", rest_required=True, allow="меня я",
              examples=("запишите меня на три мушкетера",)),
        frame("my_holds", "@hold @me",
              allow="какой что весь список статус готовый где у есть =готова =готов =готовы "
                    "одобрить одобренный",
              examples=("мои брони", "мои заявки", "мои заказы", "моя бронь готова?")),
        frame("my_holds", "бронь|броня|бронирование", allow="какой мой весь",
              examples=("брони", "покажи брони")),
        frame("my_holds", "@me @hold_verb", allow="что какой книга",
              examples=("что я забронировал", "что я заказал")),
        frame("my_holds", "@child @hold|@hold_verb", allow="что какой мой книга у",
              examples=("брони дочки", "что забронировал сын")),
        frame("my_holds", "прийти @me книга", allow="ли", examples=("пришла ли моя книга",)),
        # The library: hours, address, rules
        frame("hours", "@when @open", allow=f"@library вы {WHEN_DAY} до она можно с какой",
              examples=("когда работает библиотека", "во сколько открывается библиотека",
                        "когда библиотека откроется после каникул")),
        frame("hours", "до сколько @library|вы", allow=f"@open {WHEN_DAY}",
              examples=("библиотека до скольки", "до скольки вы сегодня")),
        frame("hours", "час работа", allow=f"@library какой ваш {WHEN_DAY} на",
              examples=("часы работы", "часы работы библиотеки")),
        frame("hours", "режим|график|расписание", allow="работа @library ваш какой",
              examples=("режим работы", "расписание библиотеки")),
        frame("hours", "@open @library|вы", allow=f"{WHEN_DAY} до на",
              examples=("библиотека работает в субботу?", "вы сегодня работаете?")),
        frame("hours", "когда прийти|зайти|подойти|приходить",
              allow=f"можно в @library мне за @book {WHEN_DAY}",
              examples=("когда можно прийти",)),
        frame("address", "где @library|вы|находиться",
              allow="находиться школьный она @library в школа",
              examples=("где библиотека", "где находится библиотека")),
        frame("address", "адрес", allow="@library школьный какой ваш у вы",
              examples=("адрес", "адрес библиотеки", "какой адрес у библиотеки")),
        frame("address", "как @where_to @library", allow="в до",
              examples=("как найти библиотеку", "как пройти в библиотеку")),
        frame("address", "кабинет|этаж|корпус|здание|крыло @library", allow="в какой на находиться",
              examples=("в каком кабинете библиотека",)),
        frame("address", "куда идти|приходить|прийти", allow="за книга мне",
              examples=("куда идти за книгой",)),
        frame("rules", "правило", allow="@library пользование какой ваш выдача мне @book в у",
              examples=("правила", "правила библиотеки")),
        frame("rules", "сколько можно",
              allow="держать читать книга взять день неделя раз продлить брать у себя максимум",
              examples=("сколько можно держать книгу", "сколько книг можно взять")),
        frame("rules", "сколько давать|выдавать", allow="на книга день неделя",
              examples=("на сколько дают книгу",)),
        frame("rules", "срок давать|выдавать|выдача", allow="на какой @book @child",
              examples=("на какой срок выдают книги",)),
        frame("rules", "штраф",
              allow="какой за просрочка платить надо ли если потерять книга большой",
              examples=("какой штраф за просрочку",)),
        frame("rules", "потерять|порвать|испортить|сломать|намочить|запачкать|разорвать",
              allow="что быть если я книга делать мне теперь надо ли платить штраф учебник",
              examples=("что будет если потерять книгу", "что делать если порвал книгу")),
        frame("rules", "если не вернуть|сдать|отдать",
              allow="что быть я книга вовремя срок мне",
              examples=("что будет если не вернуть книгу вовремя",)),
        frame("rules", "можно больше", allow="взять книга один два три четыре пять чем",
              examples=("можно взять больше трёх книг?",)),
        # What a reader has read (a parent: their child)
        frame("reading_history", "@me @past_read",
              allow="что какой книга раньше прошлый год в этот когда список который",
              examples=("что я читал", "что я прочитал")),
        frame("reading_history", "история чтение", allow="мой @child",
              examples=("история чтения",)),
        frame("reading_history", "история @book", allow="мой @me",
              examples=("история моих книг",)),
        frame("reading_history", "=прочитанные|=прочитанных|=прочитанное|=прочитанного",
              allow="мой список книга", examples=("мои прочитанные книги",)),
        frame("reading_history", "@child читать|прочитать",
              allow="что какой книга в этот год сейчас мой",
              examples=("что читает сын", "что читала дочка в этом году")),
        frame("reading_history", "@me @past_take",
              allow="что какой книга раньше прошлый год в этот",
              examples=("что я брал раньше",)),
        # The librarian's desk
        frame("new_requests", "заявка",
              allow="на книга ученик читатель весь список какой =необработанные одобрение есть "
                    "от",
              examples=("заявки", "заявки на книги")),
        frame("new_requests", "новый @hold|запрос", allow="есть что по",
              examples=("новые заявки", "есть новые заявки?", "новые брони")),
        frame("new_requests", "кто @hold_verb", allow="что какой книга",
              examples=("кто что забронировал",)),
        frame("hold_shelf", "полка",
              allow="заказ бронь выдача что на лежать ждать какой книга отложить",
              examples=("полка заказов", "что на полке", "полка")),
        frame("hold_shelf", "кто не забрать", allow="книга с полка заказ бронь",
              examples=("кто не забрал книги с полки",)),
        frame("hold_shelf", "=отложенные|=отложенных книга", examples=("отложенные книги",)),
        frame("hold_shelf", "ждать читатель", allow="какой книга",
              examples=("какие книги ждут читателей",)),
        frame("overdue", "@debtor|просрочить", find="class_name",
              allow="список по класс из в у кто книга",
              examples=("должники", "должники 7б", "просрочки", "у кого просрочка в 10а")),
        frame("overdue", "у кто @debtor|просрочить", find="class_name", allow="книга в из",
              examples=("у кого просрочены книги",)),
        frame("overdue", "кто не сдать|вернуть", find="class_name", allow="книга в из",
              examples=("кто не сдал книги в 5а", "кто не вернул книги")),
        frame("who_has", "у кто", rest="query", rest_required=True,
              allow="сейчас на рука книга весь экземпляр",
              examples=("у кого война и мир", "у кого сейчас мастер и маргарита")),
        frame("who_has", "кто @took|=брал|=держит|держать|=читает", rest="query",
              rest_required=True,
              allow="сейчас книга", examples=("кто взял капитанскую дочку",)),
        frame("issue", "@issue", rest="issue", find="inventory",
              allow="книга экземпляр оформить выдача",
              examples=("выдать 1062 пиковую даму", "выдача", "выдай 104-567 петрову")),
        frame("return", "@take_back", find="inventory", allow="книга экземпляр оформить @take_back",
              examples=("принять книгу 104-567", "возврат", "принять возврат")),
        frame("find_reader", "@reader", rest="name", rest_required=True, find="class_name",
              allow="найти поиск карточка данные по фамилия",
              examples=("найди ученика петров", "читатель иванова")),
        frame("find_reader", "формуляр", rest="name", rest_required=True,
              examples=("формуляр петрова",)),
        # Reports: the period is read by the handler from what follows (handlers/reports.py)
        frame("report", "отчет|отчёт|статистика|=статистику", rest="query",
              allow="мой наш библиотека школа по сеть район",
              examples=("отчёт", "отчёт за четверть", "статистика", "статистика за год",
                        "отчёт за 2026 год")),
        frame("find_reader", "карточка", rest="reader", rest_required=True, find="class_name",
              allow="открыть показать",
              examples=("карточка смирновой", "открой карточку петрова")),
        frame("find_reader", "=найди|=найдите|=найти", rest="reader", rest_required=True,
              find="class_name", examples=("найди смирнову", "найди кузнецову 7б")),
        frame("class_set", "комплект", find="class_name grade subject",
              allow="выдать учебник для на по класс комплект",
              examples=("выдать 7Б комплект: Алгебра 7, Русский язык 7", "комплект алгебра 7б")),
        frame("class_set", "учебник", find="class_name subject", must_find="class_name",
              allow="выдать для по класс", examples=("7 б учебники по истории",)),
        # A question for the librarian: everything after «библиотекарю» is the question
        frame("ask_librarian", "@ask @librarian", rest="question",
              allow="у с для хотеть я можно мне @ask",
              examples=("спроси библиотекаря есть ли …", "вопрос библиотекарю …",
                        "передай библиотекарю …")),
        frame("ask_librarian", "=библиотекарю|=библиотекарше", rest="question", rest_required=True,
              first=True,
              examples=("библиотекарю: когда привезут учебники",)),
        # What to read
        frame("recommend", "что @advise_read",
              allow="мне бы можно интересный посоветовать нибудь то дать скучно @child",
              constants={"kind": "any"}, examples=("что почитать", "что мне почитать")),
        frame("recommend", "посоветовать",
              allow="книга что нибудь то интересный хороший почитать мне",
              constants={"kind": "any"}, examples=("посоветуй книгу",)),
        frame("recommend", "дать @advise_read", allow="мне скучно что нибудь то",
              constants={"kind": "any"}, examples=("дай почитать что нибудь",)),
        frame("recommend", "@advise_read|список|чтение|задать @summer", find="grade",
              allow="что мне на класс для @child литература какой книга @need надо нам",
              constants={"kind": "summer"},
              examples=("что почитать летом", "список на лето", "какие книги задали на лето")),
        frame("recommend", "что новый", allow="в у @library вы", constants={"kind": "new"},
              examples=("что нового",)),
        frame("recommend", "новинка|поступление", allow="какой есть книга новый",
              constants={"kind": "new"}, examples=("новинки", "новые поступления")),
        frame("recommend", "новый книга", allow="есть какой", constants={"kind": "new"},
              examples=("новые книги",)),
        frame("recommend", "@popular", allow="что самый книга какой сейчас",
              constants={"kind": "popular"}, examples=("что популярное", "топ книг")),
        frame("recommend", "весь =читают", allow="что сейчас какой книга",
              constants={"kind": "popular"}, examples=("что сейчас все читают",)),
        frame("recommend", "список литература", find="grade", allow="для по класс",
              constants={"kind": "grade"}, examples=("список литературы для 5 класса",)),
        frame("recommend", "что @advise_read|=читать", find="grade", must_find="grade",
              allow="в во для мне @child", constants={"kind": "grade"},
              examples=("что читать в 7 классе",)),
        frame("recommend", "задать литература|@advise_read|читать|прочитать|чтение",
              find="grade", allow="что какой @book по литература мне нам @child на в во для класс",
              constants={"kind": "grade"},
              examples=("что задали по литературе", "что задали читать по литературе")),
        frame("recommend", "@need|надо|должный @advise_read|читать|прочитать", find="grade",
              allow="что какой книга мне нам @child по литература программа в во для класс "
                    "обязательно обязательный",
              constants={"kind": "grade"},
              examples=("какие книги нужно прочитать", "что надо читать по литре")),
        frame("recommend", "похожий",
              allow="@book что нибудь то посоветовать мне на этот такой есть",
              constants={"kind": "any"}, examples=("похожие книги", "что-нибудь похожее")),
        frame("recommend", "программа", find="grade",
              allow="по литература почитать что мне книга для", constants={"kind": "grade"},
              examples=("программа по литературе 9 класс", "что мне почитать по программе")),
        # Asking for a book in so many words: the rest is the title
        frame("search", "=есть", rest="query", rest_required=True,
              allow="ли у вы в @library а книга такой",
              examples=("есть ли Гарри Поттер", "Есть ли у вас «Война и мир»?")),
        frame("search", "@search", rest="query", rest_required=True,
              allow="книга мне помочь можно в @library",
              examples=("найди капитанскую дочку", "ищу гарри поттера")),
        frame("search", "где взять|достать|купить", rest="query", rest_required=True,
              allow="книга мне можно", examples=("где взять 1984",)),
        frame("search", "@need", rest="query", rest_required=True,
              allow="книга мне очень срочно", examples=("нужна книга капитанская дочка",)),
        frame("search", "хотеть @advise_read", rest="query", rest_required=True,
              allow="я бы книга", examples=("хочу почитать войну и мир",)),
    )  # fmt: skip


def _need_positions(frame_: Frame, words: Sequence[Word]) -> list[int] | None:
    used: list[int] = []
    for term in frame_.need:
        at = next((i for i, w in enumerate(words) if i not in used and w.forms & term), None)
        if at is None:
            return None
        used.append(at)
    if frame_.first and used[0] != 0:
        return None
    return used


def _rest_slots(frame_: Frame, words: Sequence[Word], left: list[int]) -> dict[str, str] | None:
    """The slot(s) the words left over make, or None when they cannot be that."""
    if frame_.rest == "query":
        if all(finders.is_pronoun(words[i].typed) for i in left):
            return None  # «Найди меня» is a title, not a search for «меня»
        end = left[-1] + 1
        while end < len(words) and finders.is_adjective(words[end - 1].typed):
            end += 1  # «продлите капитанскую дочку»: «дочку» was allowed, but the title needs it
        return {"query": " ".join(w.typed for w in words[left[0] : end])}
    if frame_.rest in ("name", "reader"):
        names = [words[i] for i in left]
        if frame_.intent == "greeting":  # a greeting may name who it greets, nothing else
            ok = all(finders.is_name(w.typed) and not finders.is_surname(w.typed) for w in names)
            return {} if ok else None
        if not all(finders.could_be_name(w.typed) for w in names):
            return None
        female = any(w.forms & _FEMININE_READERS for w in words)
        sought = any(w.forms & _SEEKING for w in words)  # «найди петрова»: the accusative
        if frame_.rest == "reader" and not _one_surname(names, _reader_case(words)):
            return None
        return {
            "name": finders.name_of(names, "accs" if sought else None, "femn" if female else None)
        }
    if frame_.rest == "issue":
        return _issue_slots([words[i] for i in left])
    return None


def _reader_case(words: Sequence[Word]) -> str:
    """The case a lone surname is in: «карточка петровой» the genitive, «найди петрову» the
    accusative."""
    return "gent" if any("карточка" in w.forms for w in words) else "accs"


def _one_surname(words: Sequence[Word], case: str) -> bool:
    """A reader named with no word that says so («найди смирнову», «карточка петровой») is one
    surname in the case the verb or noun asks for, and no common word: «найди гарри поттера»,
    «найди дубровского», «найди чайку» and «найди обломов» (a title as typed) ask for books."""
    return (
        len(words) == 1
        and finders.is_surname(words[0].typed, case)
        and finders.only_a_name(words[0].typed)
    )


def _issue_slots(left: list[Word]) -> dict[str, str]:
    """«выдать гарри поттера сидорову»: the reader (in the dative, at either end) and the
    title (the rest)."""
    size = 0
    while size < len(left) and finders.is_name(left[-1 - size].typed, "datv"):
        size += 1
    name, title = (left[len(left) - size :], left[: len(left) - size])
    if not name:
        while size < len(left) and finders.is_name(left[size].typed, "datv"):
            size += 1
        name, title = left[:size], left[size:]
    found = {}
    if name and any(finders.is_surname(w.typed) for w in name):
        found["name"] = finders.name_of(name, "datv")
    else:
        title = left
    if title:
        found["query"] = " ".join(w.typed for w in title)
    return found


def match(frame_: Frame, words: Sequence[Word], text: str, order: int) -> Match | None:
    needed = _need_positions(frame_, words)
    if needed is None:
        return None
    free = set(range(len(words))) - set(needed)
    slots = dict(frame_.constants)
    found = 0
    for name in frame_.find:
        hit = FINDERS[name](words, free)
        if hit is not None:
            slots[name], used = hit
            free -= used
            found += 1
    if any(name not in slots for name in frame_.must_find):
        return None
    if frame_.rest == "question":
        return _question(frame_, words, text, needed, free, slots, order)
    left = [i for i in sorted(free) if not (words[i].forms & frame_.allow)]
    if left:
        if frame_.rest is None:
            return None
        if frame_.rest == "query" and any(left[0] < i < left[-1] for i in needed):
            return None
        rest = _rest_slots(frame_, words, left)
        if rest is None:
            return None
        slots.update(rest)
    elif frame_.rest_required:
        return None
    return Match(frame_.intent, slots, len(frame_.need) + found, len(left), order, frame_)


def _question(
    frame_: Frame,
    words: Sequence[Word],
    text: str,
    needed: list[int],
    free: set[int],
    slots: dict[str, str],
    order: int,
) -> Match | None:
    """Everything after the last needed word is the question, as typed; every word before it
    must be needed or allowed."""
    last = max(needed)
    if any(i < last and not (words[i].forms & frame_.allow) for i in free):
        return None
    after = [i for i in range(last + 1, len(words))]
    while after and words[after[0]].text in POLITE:
        after.pop(0)
    question = text[words[after[0]].start :].strip() if after else ""
    if question:
        slots["question"] = question
    elif frame_.rest_required:
        return None
    return Match(frame_.intent, slots, len(frame_.need), 0, order, frame_)


@cache
def vocabulary() -> frozenset[str]:
    """Every word a frame needs or allows, for typo correction."""
    words: set[str] = set()
    for frame_ in table():
        for term in (*frame_.need, frame_.allow):
            words |= {w.lstrip("=") for w in term if "_" not in w}
    return frozenset(words)


def best(words: Sequence[Word], text: str) -> Match | None:
    """The frame that explains the message best, or None when none explains all of it."""
    present: set[str] = set().union(*(w.forms for w in words)) if words else set()
    found = []
    for order, frame_ in enumerate(table()):
        if all(term & present for term in frame_.need):
            hit = match(frame_, words, text, order)
            if hit is not None:
                found.append(hit)
    if not found:
        return None
    return min(found, key=lambda m: (-m.score, m.left, m.order))

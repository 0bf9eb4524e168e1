"""E-resources: a librarian subscribes their school to the network's collections (/eresources);
an e-resource is found by everyone, but «🌐 Читать онлайн» is shown only to readers of a
subscribing school; a lending collection's book is asked for, granted for 14 days (the reader
gets the link), and the daily round ends the loan when its time is up.

From chat: the network's methodologist keeps the list of collections (/collection_add,
/collections, ✏️ rename, 🗑 remove — refused while records use it); a librarian adds an
e-resource (/eresource_add), naming its collection with a typo or choosing it from buttons."""

from __future__ import annotations

from sqlalchemy import select

from db.catalog import RecordData, add_record
from db.engine import Database
from db.enums import AuditOutcome, RecordKind
from db.models import AuditEntry, CatalogChange, ECollection, ELoan, LibrarySubscription, Record
from handlers.dispatcher import Dispatcher
from handlers.elibrary import read_eresource
from jobs.eresources import eloan_round
from messages.elibrary_notices import eloans_round
from tests.support.chat import ChatFactory
from tests.support.clock import Clock
from tests.support.library import forge, linked_reader, notices_for

URL = "https://example.org/read/zvezdnyi-mayak"


async def _e_resource(db: Database, title: str, collection: str, *, lends: bool) -> int:
    """A collection of the demo network and one e-resource of it; the collection's id."""
    async with db.transaction() as session:
        shelf = ECollection(network_id=1, name=collection, lends=lends)
        session.add(shelf)
        await session.flush()
        record = await add_record(
            session, RecordData(title=title, authors=["Лунина А."], kind=RecordKind.E_RESOURCE)
        )
        record.url = URL
        record.collection_id = shelf.id
        return shelf.id


async def test_the_link_is_only_for_readers_of_a_subscribing_school(
    chat: ChatFactory, demo_db: Database
) -> None:
    await _e_resource(demo_db, "Звёздный маяк", "Библиотека Тест", lends=False)
    librarian = chat("librarian")
    await librarian.send("/eresources")
    assert "➕ Библиотека Тест" in librarian.text
    await librarian.press("➕ Библиотека Тест")
    assert "✅ Библиотека Тест" in librarian.text
    async with demo_db.reading() as session:
        assert await session.scalar(
            select(LibrarySubscription.library_id).join(
                ECollection, ECollection.id == LibrarySubscription.collection_id
            ).where(ECollection.name == "Библиотека Тест")
        ) == 1  # fmt: skip
        audited = await session.scalar(
            select(AuditEntry.outcome).where(AuditEntry.action == "eresources.subscribe")
        )
        assert audited == AuditOutcome.OK

    student = chat("student")
    await student.send("звёздный маяк")
    await student.press("1")
    assert "Коллекция: Библиотека Тест" in student.text
    assert student.button("Читать онлайн").url == URL

    stranger = await linked_reader(chat, chat("librarian2"), "1002", "school2_student")
    await stranger.send("звёздный маяк")
    assert "Звёздный маяк" in stranger.text  # found by everyone…
    await stranger.press("1")
    assert "не подписана на «Библиотека Тест»" in stranger.text  # …but not opened
    assert all(b.url is None for r in stranger.replies for row in r.buttons for b in row)

    # a student cannot subscribe a school, even with a forged button
    forged = await forge(demo_db, "student", "eresources.toggle", collection=1)
    await student.press_token(forged)
    assert "недоступно" in student.text


async def test_a_lending_collection_grants_for_two_weeks_and_the_round_ends_it(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    await _e_resource(demo_db, "Звёздный маяк", "ЛитРес Тест", lends=True)
    librarian = chat("librarian")
    await librarian.send("/eresources")
    await librarian.press("➕ ЛитРес Тест")

    student = chat("student")
    await student.send("звёздный маяк")
    await student.press("1")
    assert "выдаёт книги на время" in student.text
    await student.press("Попросить доступ")
    assert "Просьба отправлена библиотекарю" in student.text
    (asked,) = [n for n in await notices_for(demo_db, "librarian") if "Звёздный маяк" in n]
    assert "Смирнова Мария, 7Б просит доступ" in asked
    async with demo_db.reading() as session:
        loan = await session.scalar(select(ELoan))
        assert loan is not None and loan.status == "asked"

    other = chat("librarian2")  # another school's librarian cannot grant it
    await other.press_token(await forge(demo_db, "librarian2", "eloan.grant", eloan=loan.id))
    assert "недоступно" in other.text

    await librarian.press_token(await forge(demo_db, "librarian", "eloan.grant", eloan=loan.id))
    assert "открыт до 30 ноября" in librarian.text
    granted = [n for n in await notices_for(demo_db, "student") if "Звёздный маяк" in n]
    assert len(granted) == 1 and URL in granted[0] and "до 30 ноября" in granted[0]
    await student.send("звёздный маяк")
    await student.press("1")
    assert student.button("Читать онлайн").url == URL

    clock.advance(days=13)
    async with demo_db.transaction() as session:
        assert await eloans_round(session, clock()) == 0
    clock.advance(days=1, minutes=1)
    assert await eloan_round(demo_db, clock) == 1  # the scheduler's hourly round
    async with demo_db.reading() as session:
        assert (await session.get(ELoan, loan.id)).status == "ended"
    told = [n for n in await notices_for(demo_db, "student") if "Звёздный маяк" in n]
    assert "закончился" in told[-1]
    await student.send("звёздный маяк")
    await student.press("1")
    assert "Попросить доступ" in student.button("Попросить доступ").label


# Collections and e-resources from chat --------------------------------------------------------


async def _audited(db: Database, action: str) -> list[AuditOutcome]:
    async with db.reading() as session:
        return list(
            await session.scalars(select(AuditEntry.outcome).where(AuditEntry.action == action))
        )


async def _collection(db: Database, name: str) -> ECollection | None:
    async with db.reading() as session:
        return await session.scalar(select(ECollection).where(ECollection.name == name))


async def test_the_methodist_keeps_the_network_list_of_collections(
    chat: ChatFactory, demo_db: Database
) -> None:
    methodist = chat("methodist")
    await methodist.send("/collection_add Президентская библиотека | ftp://prlib.ru | всем")
    assert "должна начинаться с http:// или https://" in methodist.text
    assert await _collection(demo_db, "Президентская библиотека") is None
    await methodist.send("/collection_add Президентская библиотека | https://www.prlib.ru | всем")
    assert "Коллекция «Президентская библиотека» добавлена — открыта всем" in methodist.text
    added = await _collection(demo_db, "Президентская библиотека")
    assert added is not None and added.open_to_all and not added.lends
    assert added.url == "https://www.prlib.ru" and added.network_id == 1
    await methodist.send("/collection_add ЛитРес Тест | https://school.litres.ru | выдача")
    lending = await _collection(demo_db, "ЛитРес Тест")
    assert lending is not None and lending.lends and not lending.open_to_all
    await methodist.send("/collection_add  президентская БИБЛИОТЕКА ")
    assert "уже есть" in methodist.text
    assert await _audited(demo_db, "eresources.collection_add") == [AuditOutcome.OK] * 2

    await methodist.send("/collections")
    assert "Электронные коллекции сети" in methodist.text
    assert "• ЛитРес: Школа — выдаёт книги на время — 1 ресурс" in methodist.text
    assert "• Президентская библиотека — открыта всем, подписка не нужна — 0 ресурсов" in (
        methodist.text
    )

    # renamed from the card
    await methodist.press("Президентская")
    assert "подписаны 0 школ" in methodist.text
    await methodist.press("Переименовать")
    await methodist.send("Президентская библиотека им. Б. Н. Ельцина")
    assert "теперь называется «Президентская библиотека им. Б. Н. Ельцина»" in methodist.text
    assert (await _collection(demo_db, "Президентская библиотека им. Б. Н. Ельцина")) is not None
    assert await _audited(demo_db, "eresources.collection_rename") == [AuditOutcome.OK]

    # a collection whose records are in the catalog stays
    await methodist.send("/collections")
    await methodist.press("ЛитРес: Школа")
    await methodist.press("Удалить")
    assert "удалить нельзя: в каталоге 1 ресурс из неё" in methodist.text
    litres = await _collection(demo_db, "ЛитРес: Школа")
    assert litres is not None
    forged = await forge(demo_db, "methodist", "collections.remove_yes", collection=litres.id)
    await methodist.press_token(forged)  # past the card's check, the domain refuses again
    assert "удалить нельзя" in methodist.text
    assert await _collection(demo_db, "ЛитРес: Школа") is not None

    # an unused one goes, with the schools' subscriptions to it
    librarian = chat("librarian")
    await librarian.send("/eresources")
    await librarian.press("➕ ЛитРес Тест")
    await methodist.send("/collections")
    await methodist.press("ЛитРес Тест")
    assert "подписана 1 школа" in methodist.text
    await methodist.press("Удалить")
    assert "Подписки школ на неё тоже снимутся" in methodist.text
    await methodist.press("Да, удалить")
    assert "Коллекция «ЛитРес Тест» удалена" in methodist.text
    assert await _collection(demo_db, "ЛитРес Тест") is None
    async with demo_db.reading() as session:
        assert await session.scalar(
            select(LibrarySubscription.library_id).where(
                LibrarySubscription.collection_id == lending.id
            )
        ) is None  # fmt: skip
    assert await _audited(demo_db, "eresources.collection_remove") == [AuditOutcome.OK]


async def test_a_librarian_who_is_no_admin_cannot_change_the_list(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/collections")  # may look: the names are for /eresource_add
    assert "ЛитРес: Школа" in librarian.text and "НЭДБ" in librarian.text
    assert all(not r.buttons for r in librarian.replies)
    await librarian.send("/collection_add Моя коллекция | https://example.org")
    assert "недоступно" in librarian.text
    assert await _collection(demo_db, "Моя коллекция") is None
    litres = await _collection(demo_db, "НЭДБ")
    assert litres is not None
    for action in ("collections.remove_yes", "collections.remove", "collections.rename"):
        await librarian.press_token(await forge(demo_db, "librarian", action, collection=litres.id))
        assert "недоступно" in librarian.text, action
    await librarian.send("/collections")
    assert "НЭДБ" in librarian.text  # still there
    assert await _audited(demo_db, "eresources.collection_add") == [AuditOutcome.REFUSED]
    assert await _audited(demo_db, "eresources.collection_remove") == [AuditOutcome.REFUSED]
    async with demo_db.reading() as session:  # the second refusal folded into the first
        assert await session.scalar(
            select(AuditEntry.repeats).where(AuditEntry.action == "eresources.collection_remove")
        ) == 2  # fmt: skip

    student = chat("student")
    await student.send("/collections")
    assert "недоступно" in student.text
    await student.send("/eresource_add Звёздный маяк | https://example.org/book")
    assert "недоступно" in student.text


async def test_a_librarian_adds_an_e_resource_a_subscribed_student_reads_it(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    line = "Лунина А. — Звёздный маяк 12+ | school.litres.ru/book/mayak | недб"
    await librarian.send(f"/eresource_add {line}")
    assert "должна начинаться с http:// или https://" in librarian.text
    assert line in librarian.text  # what was sent, to correct and send again
    async with demo_db.reading() as session:
        assert await session.scalar(select(Record).where(Record.title == "Звёздный маяк")) is None

    fixed = "Лунина А. — Звёздный маяк 12+ | https://arch.rgdb.ru/mayak | НЕДБ"
    await librarian.send(fixed)  # no command: the corrected line alone
    # «НЕДБ» is as near НЭБ as НЭДБ: the librarian chooses
    assert "«НЕДБ» в списке сети не нашёл" in librarian.text
    await librarian.press("НЭДБ")
    assert "🌐 В каталоге: «Звёздный маяк» (Лунина А.), 12+" in librarian.text
    assert "Ваша школа на «НЭДБ» не подписана" in librarian.text
    async with demo_db.reading() as session:
        record = await session.scalar(select(Record).where(Record.title == "Звёздный маяк"))
        assert record is not None
        nedb = await session.get(ECollection, record.collection_id)
        assert nedb is not None and nedb.name == "НЭДБ"
        assert record.kind == RecordKind.E_RESOURCE and record.url == "https://arch.rgdb.ru/mayak"
        assert record.authors == "Лунина А." and record.age_mark == 12
        assert record.dedupe_key.startswith("звездный маяк|лунина")
        assert await session.scalar(
            select(CatalogChange.id).where(CatalogChange.record_id == record.id)
        )  # fmt: skip
    assert await _audited(demo_db, "eresources.record_add") == [AuditOutcome.OK]

    await librarian.send(f"/eresource_add {fixed[:-4]}нэдб")
    assert "уже есть в каталоге" in librarian.text

    student = chat("student")
    await student.send("звездный маякк")
    await student.press("1")
    assert "Коллекция: НЭДБ" in student.text and "не подписана" in student.text
    await librarian.send("/eresources")
    await librarian.press("➕ НЭДБ")
    await student.send("звездный маякк")
    await student.press("1")
    assert student.button("Читать онлайн").url == "https://arch.rgdb.ru/mayak"

    # a typo in the collection's name is forgiven; no collection is open to everyone
    await librarian.send(
        "/eresource_add Бажов П. П. — Серебряное копытце | https://school.litres.ru/b/1"
        " | литрес школа"
    )
    assert "Коллекция «ЛитРес: Школа» — выдаёт книги на время" in librarian.text
    await librarian.send("/eresource_add Словарь юного чтеца | https://example.org/slovar")
    assert "Без коллекции: читать онлайн может любой" in librarian.text
    stranger = await linked_reader(chat, chat("librarian2"), "1002", "school2_student")
    await stranger.send("словарь юного чтеца")
    await stranger.press("1")
    assert stranger.button("Читать онлайн").url == "https://example.org/slovar"


async def test_a_forged_pick_of_another_networks_collection_is_refused(
    chat: ChatFactory, demo_db: Database
) -> None:
    async with demo_db.transaction() as session:
        from db.models import Network

        other = Network(name="Другая сеть")
        session.add(other)
        await session.flush()
        foreign = ECollection(network_id=other.id, name="Чужая коллекция")
        session.add(foreign)
        await session.flush()
        foreign_id = foreign.id
    librarian = chat("librarian")
    token = await forge(
        demo_db, "librarian", "eresource.pick", collection=foreign_id, title="Чужое",
        url="https://example.org/x", authors=[], age=None,
    )  # fmt: skip
    await librarian.press_token(token)
    assert "недоступно" in librarian.text
    token = await forge(
        demo_db, "librarian", "eresource.pick", collection=0, title="Чужое",
        url="javascript:alert(1)", authors=[], age=None,
    )  # fmt: skip
    await librarian.press_token(token)
    assert "http:// или https://" in librarian.text
    async with demo_db.reading() as session:
        assert await session.scalar(select(Record).where(Record.title == "Чужое")) is None


def test_the_line_of_an_e_resource_is_read() -> None:
    typed = read_eresource("Пушкин А. С. — Капитанская дочка 12+ | https://ex.org/k | ЛитРес")
    assert typed.data is not None and typed.collection == "ЛитРес"
    assert typed.data.title == "Капитанская дочка" and typed.data.authors == ("Пушкин А. С.",)
    assert typed.data.age_mark == 12 and typed.data.url == "https://ex.org/k"
    typed = read_eresource("Война и мир - том 1 | https://ex.org/w | 16+")
    assert typed.data is not None and typed.data.title == "Война и мир - том 1"
    assert typed.data.authors == () and typed.data.age_mark == 16 and typed.collection == ""
    assert read_eresource("Книга").problem == "no_link"
    assert read_eresource("Книга | www.ex.org").problem == "bad_link"
    assert read_eresource("Книга | https://ex.org/a b").problem == "bad_link"
    assert read_eresource(" | https://ex.org").problem == "no_title"


async def test_help_and_menus_name_the_new_commands(
    chat: ChatFactory, dispatcher: Dispatcher
) -> None:
    librarian = chat("librarian")
    await librarian.send("/help")
    assert "/eresource_add" in librarian.text and "/collections" in librarian.text
    assert "/collection_add" not in librarian.text
    methodist = chat("methodist")
    await methodist.send("/help")
    assert "/collection_add ЛитРес: Школа" in methodist.text and "/eresource_add" in methodist.text
    shown = dict(dispatcher.registry.menus["librarian"].commands)
    assert shown["eresource_add"] == "Добавить электронный ресурс"
    assert "collections" in shown and "eresources" in shown
    assert "eresource_add" not in dict(dispatcher.registry.menus["reader"].commands)

"""Page-number pagination whose count stops at a cap, so a list page costs the same at any size.

Django's `Paginator` counts every row to number the pages: at 10,000 governments
x 3 rounds that COUNT reads every live publication, cold, on every list page. A
`CappedPaginator` counts at most `cap + 1` rows: below the cap it behaves exactly
like Django's (the sample site's 11 profiles say "11 profiles", "Page 1 of 1");
beyond it the page says "More than 1,000" and pages are still reached by number,
each knowing whether a next one exists by reading one row more than it shows.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: Counts stop here: the page says "more than" this many.
COUNT_CAP = 1000


class CappedPage(Page):
    """A page of a list longer than the cap: whether a next page exists is known, not its total."""

    def __init__(self, object_list, number: int, paginator: "CappedPaginator", *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CappedPaginator(Paginator):
    """A `Paginator` over a queryset whose `count` is exact up to `cap`, and `cap + 1` beyond."""

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        cap: int | None = None,
        count: int | None = None,
    ):
        """`cap` defaults to `COUNT_CAP`; `count`, if given, was already made (e.g. by a search)."""
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        if count is not None:
            self.__dict__["count"] = count

    @cached_property
    def count(self) -> int:
        # The ordering is dropped: counting needs no sort, and LIMIT lets the database stop.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """Whether the list is longer than the cap (its length and last page are unknown)."""
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int | None:
        """The number of pages, or None beyond the cap."""
        return None if self.capped else super().num_pages

    def validate_number(self, number) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number) -> Page:
        if not self.capped:
            return super().get_page(number)
        try:
            number = self.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        return self.page(number)

    def page(self, number) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

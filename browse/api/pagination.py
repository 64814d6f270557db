from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 50; a malformed page number is a 400, a page past the end a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param, 1)
        if page in self.last_page_strings:
            return page
        try:
            number = int(page)
        except (TypeError, ValueError):
            raise ValidationError({"page": "Page must be a whole number."}) from None
        if number < 1:
            raise ValidationError({"page": "Page must be 1 or more."})
        return number

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            raise ValidationError({"page_size": "Page size must be a whole number."}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": f"Page size must be between 1 and {self.max_page_size}."}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound("There is no such page: the list has fewer pages.") from None

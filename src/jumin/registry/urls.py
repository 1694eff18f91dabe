from django.urls import path

from jumin.registry import menu_views, notice_views, views

app_name = "registry"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("person/<str:atena_no>/", views.person, name="person"),
    path("person/<str:atena_no>/memos/", views.memo_add, name="memo_add"),
    path("person/<str:atena_no>/memos/<int:memo_id>/delete/", views.memo_delete, name="memo_delete"),
    path("household/<str:household_no>/", views.household, name="household"),
    path("household/<str:household_no>/order/", views.member_order, name="member_order"),
    path("movements/", menu_views.movement_menu, name="movement_menu"),
    path("movements/new/<slug:kind>/", views.movement_new, name="movement_new"),
    path("movements/<str:movement_no>/", views.movement, name="movement"),
    path("movements/<str:movement_no>/approve/", views.approve, name="approve"),
    path("movements/<str:movement_no>/discard/", views.discard, name="discard"),
    path("movements/<str:movement_no>/return/", views.return_to_clerk, name="return"),
    path("movements/<str:movement_no>/resubmit/", views.resubmit, name="resubmit"),
    path("movements/<str:movement_no>/cancel/", views.cancel, name="cancel"),
    path("movements/<str:movement_no>/print/", views.print_sheet, name="print"),
    path("movements/<str:movement_no>/notice/<slug:kind>.pdf", notice_views.notice, name="notice"),
    path("approvals/", views.approvals, name="approvals"),
    path("returned/", views.returned, name="returned"),
]

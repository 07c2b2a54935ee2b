"""The Review and Availability docks share one tabbed area under the worksheet, shown from the
View menu in front, and the window layout keeps where the user put them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from fma_app.ui.main_window import MainWindow
from fma_app.ui.window_layout import SETTINGS_PREFIX


def toggle(window: MainWindow, text: str) -> None:
    """What View > Review or View > Availability does."""
    next(a for a in window.view_menu.actions() if a.text().replace("&", "") == text).trigger()


def bottom_docks(window: MainWindow) -> tuple[QDockWidget, QDockWidget]:
    availability = window.findChild(QDockWidget, "availabilityDock")
    assert availability is not None
    return window.review_dock, availability


def side_by_side(window: MainWindow, review: QDockWidget, availability: QDockWidget) -> None:
    """As the docks sat before they were tabbed (and as a user may put them again)."""
    window.removeDockWidget(availability)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, availability)
    availability.show()


def in_front(dock: QDockWidget) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def test_the_bottom_docks_are_tabs_and_the_one_shown_last_is_in_front(main_window_factory, qtbot):
    window = main_window_factory()
    review, availability = bottom_docks(window)
    assert not review.isVisible()
    assert not availability.isVisible()
    toggle(window, "Review")
    qtbot.waitUntil(lambda: in_front(review))
    toggle(window, "Availability")
    qtbot.waitUntil(lambda: in_front(availability))
    assert window.tabifiedDockWidgets(review) == [availability]
    assert not in_front(review)
    assert review.toggleViewAction().isChecked()  # still open, as the tab behind
    # the worksheet keeps its full width: the docks do not share the bottom side by side
    assert review.width() == availability.width()
    toggle(window, "Review")  # closes it
    toggle(window, "Review")  # shows it again: in front
    qtbot.waitUntil(lambda: in_front(review))
    assert not in_front(availability)


def test_a_layout_saved_before_the_tabs_gets_them_once(main_window_factory, qtbot):
    """A state saved when the docks sat side by side (the old default) is tabbed on the next
    start; once the user splits them again and the layout is saved, the split stays."""
    window = main_window_factory()
    review, availability = bottom_docks(window)
    toggle(window, "Review")
    toggle(window, "Availability")
    side_by_side(window, review, availability)
    qtbot.waitUntil(lambda: in_front(review) and in_front(availability))
    window.save_settings()
    window.settings.remove(SETTINGS_PREFIX + "dockLayout")  # as a state saved before the tabs

    reopened = main_window_factory()
    review, availability = bottom_docks(reopened)
    assert reopened.tabifiedDockWidgets(review) == [availability]
    assert review.toggleViewAction().isChecked()
    assert availability.toggleViewAction().isChecked()

    side_by_side(reopened, review, availability)
    qtbot.waitUntil(lambda: in_front(review) and in_front(availability))
    reopened.save_settings()
    split = main_window_factory()
    review, availability = bottom_docks(split)
    assert split.tabifiedDockWidgets(review) == []
    qtbot.waitUntil(lambda: in_front(review) and in_front(availability))

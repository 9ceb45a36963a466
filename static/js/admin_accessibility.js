// The admin's widgets that scripts build get the names assistive technology reads (WCAG 4.1.2):
// an autocomplete box (select2) is named by its field's label, the search box inside it too,
// and the filter icons of the two-list pickers (SelectFilter2) are images with their text.
// Runs after the admin's own scripts have built the widgets (the pickers on "load", the
// autocomplete boxes when jQuery is ready), then marks the page with data-widgets-named.
"use strict";
(function () {
    function labelIdOf(select) {
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        if (!label) {
            return null;
        }
        if (!label.id) {
            label.id = select.id + "_label";
        }
        return label.id;
    }

    function nameAutocomplete(select) {
        const box = select.nextElementSibling;
        const labelId = labelIdOf(select);
        if (!box || !box.classList.contains("select2") || !labelId) {
            return;
        }
        const combobox = box.querySelector(".select2-selection");
        if (combobox) {
            const ids = (combobox.getAttribute("aria-labelledby") || "").split(" ");
            if (!ids.includes(labelId)) {
                combobox.setAttribute("aria-labelledby", [labelId, ...ids].join(" ").trim());
            }
        }
        // The chosen value of a single choice (a read-only textbox) and the search box of a
        // multiple one.
        box.querySelectorAll(".select2-selection__rendered[role=textbox], .select2-search__field")
            .forEach(function (element) {
                element.setAttribute("aria-labelledby", labelId);
            });
        if (window.django && django.jQuery && !select.dataset.prbNamed) {
            select.dataset.prbNamed = "1";
            // The search box of a single choice opens in a dropdown made anew each time.
            django.jQuery(select).on("select2:open", function () {
                document.querySelectorAll(".select2-container--open .select2-search__field")
                    .forEach(function (search) {
                        search.setAttribute("aria-labelledby", labelId);
                    });
            });
        }
    }

    function nameWidgets(root) {
        root.querySelectorAll("select.admin-autocomplete").forEach(nameAutocomplete);
        root.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    function nameAll() {
        nameWidgets(document);
        document.documentElement.dataset.widgetsNamed = "1";
    }

    window.addEventListener("load", function () {
        if (window.django && django.jQuery) {
            django.jQuery(nameAll); // after autocomplete.js's own "ready" handler
        } else {
            nameAll();
        }
    });
    // A list's filter panel (templates/admin/change_list.html): open beside the list on a wide
    // screen, closed above it on a phone until asked for.
    const narrow = window.matchMedia("(max-width: 767px)");
    function placeFilters() {
        const filters = document.getElementById("prb-filters");
        if (filters) {
            filters.open = !narrow.matches;
        }
    }
    placeFilters();
    narrow.addEventListener("change", placeFilters);

    document.addEventListener("formset:added", function (event) {
        nameWidgets(event.target);
    });
})();

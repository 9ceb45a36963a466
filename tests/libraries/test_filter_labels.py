"""The filters of `/libraries/` name people as the pages do: by name, not by e-mail."""

from prb_partnerships.roles import Role
from tests import factories


def test_the_animator_and_expert_filters_show_names(client, coordinator, partnership):
    expert = factories.UserFactory(
        email="ewa.ekspert@example.org", first_name="Ewa", last_name="Nowak", role=Role.EXPERT
    )
    factories.UserFactory(
        email="bez.nazwiska@example.org", first_name="", last_name="", role=Role.EXPERT
    )
    animator = factories.AnimatorFactory(
        user__email="adam.animator@example.org",
        user__first_name="Adam",
        user__last_name="Wiśniewski",
        expert=expert,
    )
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    client.force_login(coordinator)

    response = client.get("/libraries/")

    animators = response.context["filterset"].form.fields["animator"]
    experts = response.context["filterset"].form.fields["expert"]
    assert "Wiśniewski Adam" in [label for _value, label in animators.choices]
    expert_labels = [label for _value, label in experts.choices]
    assert "Nowak Ewa" in expert_labels
    assert "ewa.ekspert@example.org" not in expert_labels
    assert "bez.nazwiska@example.org" in expert_labels  # no name: the e-mail is all there is
    page = response.content.decode()
    assert ">Nowak Ewa</option>" in page
    assert ">ewa.ekspert@example.org</option>" not in page

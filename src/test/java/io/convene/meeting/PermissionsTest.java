package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every role × action, written out independently of the matrix it checks. */
class PermissionsTest {
  private static final Map<Permission, Set<Role>> EXPECTED = Map.ofEntries(
      Map.entry(Permission.START_EARLY, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.INVITE, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.GENERATE_LINK, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.REMOVE_GUEST, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.ADMIT_MEMBERS, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.REMOVE_PARTICIPANT, Set.of(Role.OWNER)),
      Map.entry(Permission.BAN_PARTICIPANT, Set.of(Role.OWNER)),
      Map.entry(Permission.MUTE_PARTICIPANT, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.END_FOR_ALL, Set.of(Role.OWNER)),
      Map.entry(Permission.CANCEL_MEETING, Set.of(Role.OWNER)),
      Map.entry(Permission.DELETE_MEETING, Set.of(Role.OWNER)),
      Map.entry(Permission.ASSIGN_ROLES, Set.of(Role.OWNER)),
      Map.entry(Permission.EDIT_MEETING, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.UPDATE_SETTINGS, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.ADMIT_GUESTS, Set.of(Role.OWNER, Role.MANAGER, Role.MEMBER)),
      Map.entry(Permission.VIEW_ATTENDANCE, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.VIEW_AUDIT, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.PUBLISH_MEDIA, Set.of(Role.OWNER, Role.MANAGER, Role.MEMBER, Role.GUEST)),
      Map.entry(Permission.RECORD, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.DELETE_RECORDING, Set.of(Role.OWNER)),
      Map.entry(Permission.INTERACT, Set.of(Role.OWNER, Role.MANAGER, Role.MEMBER)),
      Map.entry(Permission.MODERATE_INTERACTIONS, Set.of(Role.OWNER, Role.MANAGER)),
      Map.entry(Permission.RUN_POLLS, Set.of(Role.OWNER, Role.MANAGER)));

  @Test
  void everyRoleAndActionMatchesTheSpec() {
    assertThat(EXPECTED.keySet()).containsExactlyInAnyOrder(Permission.values());
    for (Permission p : Permission.values()) {
      for (Role r : Role.values()) {
        assertThat(Permissions.allows(r, false, p))
            .as("%s may %s", r, p)
            .isEqualTo(EXPECTED.get(p).contains(r));
      }
    }
  }

  @Test
  void adminActsAsOwnerWhateverTheirRole() {
    for (Permission p : Permission.values()) {
      assertThat(Permissions.allows(null, true, p)).as("admin may %s", p).isEqualTo(EXPECTED.get(p).contains(Role.OWNER));
      assertThat(Permissions.allows(Role.MEMBER, true, p)).isEqualTo(EXPECTED.get(p).contains(Role.OWNER));
    }
  }

  @Test
  void noRoleMayNothing() {
    for (Permission p : Permission.values()) {
      assertThat(Permissions.allows(null, false, p)).isFalse();
    }
  }

  @Test
  void matrixIsServedAsData() {
    var json = Permissions.asJson();
    assertThat(json.getJsonArray("roles")).containsExactly("owner", "manager", "member", "guest");
    assertThat(json.getJsonObject("permissions").getJsonArray("end_for_all")).containsExactly("owner");
    assertThat(json.getJsonObject("permissions").getJsonArray("admit_guests")).containsExactlyInAnyOrder("owner", "manager", "member");
  }
}

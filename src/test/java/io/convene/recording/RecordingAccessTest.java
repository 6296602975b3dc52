package io.convene.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.meeting.RecordingAccess;
import io.convene.meeting.Role;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who sees a meeting's recordings, for every {@code recordingAccess} value and every kind of person. */
class RecordingAccessTest {
  /** null: a stranger (not a participant, or banned). */
  private static final Map<RecordingAccess, Set<Role>> SEES = Map.of(
      RecordingAccess.OWNERS, Set.of(Role.OWNER, Role.MANAGER),
      RecordingAccess.PARTICIPANTS, Set.of(Role.OWNER, Role.MANAGER, Role.MEMBER),
      RecordingAccess.PUBLIC, Set.of(Role.OWNER, Role.MANAGER, Role.MEMBER, Role.GUEST));

  @Test
  void everyRoleUnderEveryAccess() {
    for (RecordingAccess access : RecordingAccess.values()) {
      for (Role role : Role.values()) {
        assertThat(access.allows(role, false)).as("%s sees under %s", role, access).isEqualTo(SEES.get(access).contains(role));
      }
      assertThat(access.allows(null, false)).as("a stranger under %s", access).isEqualTo(access == RecordingAccess.PUBLIC);
      assertThat(access.allows(null, true)).as("an admin under %s", access).isTrue();
    }
  }

  @Test
  void wireNames() {
    assertThat(Arrays.stream(RecordingAccess.values()).map(RecordingAccess::wire)).containsExactly("owners", "participants", "public");
    assertThat(RecordingAccess.fromWire("public")).isEqualTo(RecordingAccess.PUBLIC);
    assertThat(RecordingAccess.fromWire("everyone")).isNull();
  }
}

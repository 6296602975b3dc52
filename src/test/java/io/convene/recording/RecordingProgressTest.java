package io.convene.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.livekit.EgressReport;
import io.convene.livekit.EgressReport.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The recording state machine, fed LiveKit's reports in every order LiveKit may deliver them. */
class RecordingProgressTest {
  private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  private static final String EGRESS = "EG_abc";

  private static Recording recording(RecordingStatus status, String egressId) {
    return new Recording("rec_0123456789012345678901", "mtg_x", egressId, status, false, "alice", "r.mp4",
        null, null, null, null, null, null, null, T0, null, null, T0, T0);
  }

  private static EgressReport report(Status status) {
    return new EgressReport(EGRESS, "mtg_x", status, T0.plusSeconds(1), status == Status.COMPLETE ? T0.plusSeconds(61) : null,
        null, status == Status.COMPLETE ? "s3://bucket/r.mp4" : null, status == Status.COMPLETE ? 60_000L : null,
        status == Status.COMPLETE ? 1_234_567L : null, List.of("recordings/mtg_x/rec_0123456789012345678901.mp4"));
  }

  /** Applies the reports in turn; returns the statuses the recording went through (changes only). */
  private static List<RecordingStatus> feed(Recording start, Status... reports) {
    Recording r = start;
    java.util.ArrayList<RecordingStatus> seen = new java.util.ArrayList<>();
    for (Status s : reports) {
      Optional<RecordingProgress.Change> c = RecordingProgress.apply(r, report(s));
      if (c.isPresent()) {
        r = r.with(c.get(), T0);
        if (c.get().from() != c.get().to()) {
          seen.add(r.status());
        }
      }
    }
    return seen;
  }

  @Test
  void egressReportsInOrderWalkTheWholeWay() {
    assertThat(feed(recording(RecordingStatus.STARTING, null), Status.STARTING, Status.ACTIVE, Status.ENDING, Status.COMPLETE))
        .containsExactly(RecordingStatus.RECORDING, RecordingStatus.PROCESSING, RecordingStatus.READY);
  }

  @Test
  void theFinishedFileIsRecordedWithItsFacts() {
    Recording r = recording(RecordingStatus.PROCESSING, EGRESS);
    RecordingProgress.Change c = RecordingProgress.apply(r, report(Status.COMPLETE)).orElseThrow();
    Recording after = r.with(c, T0.plusSeconds(70));
    assertThat(after.status()).isEqualTo(RecordingStatus.READY);
    assertThat(after.location()).isEqualTo("s3://bucket/r.mp4");
    assertThat(after.durationMillis()).isEqualTo(60_000L);
    assertThat(after.sizeBytes()).isEqualTo(1_234_567L);
    assertThat(after.toJson().getDouble("durationSeconds")).isEqualTo(60.0);
    assertThat(after.endedAt()).isEqualTo(T0.plusSeconds(61));
    assertThat(c.stopped()).as("processing was already not recording").isFalse();
  }

  @Test
  void aStatusNeverGoesBackwards() {
    assertThat(feed(recording(RecordingStatus.STARTING, null), Status.COMPLETE, Status.ACTIVE, Status.STARTING, Status.ENDING))
        .as("the end first, then older news").containsExactly(RecordingStatus.READY);
    assertThat(feed(recording(RecordingStatus.STARTING, null), Status.ENDING, Status.ACTIVE, Status.COMPLETE))
        .containsExactly(RecordingStatus.PROCESSING, RecordingStatus.READY);
    assertThat(RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), report(Status.STARTING))).isEmpty();
  }

  @Test
  void repeatedReportsChangeNothing() {
    assertThat(feed(recording(RecordingStatus.STARTING, null), Status.ACTIVE, Status.ACTIVE, Status.ACTIVE))
        .containsExactly(RecordingStatus.RECORDING);
    assertThat(RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), report(Status.ACTIVE))).isEmpty();
    assertThat(RecordingProgress.apply(recording(RecordingStatus.READY, EGRESS), report(Status.COMPLETE))).isEmpty();
  }

  @Test
  void finalStatusesAreFinal() {
    assertThat(RecordingProgress.apply(recording(RecordingStatus.FAILED, EGRESS), report(Status.COMPLETE))).isEmpty();
    assertThat(RecordingProgress.apply(recording(RecordingStatus.READY, EGRESS), report(Status.FAILED))).isEmpty();
    assertThat(RecordingProgress.fail(recording(RecordingStatus.READY, EGRESS), "late")).isEmpty();
  }

  @Test
  void aStartingRecordingLearnsItsEgressWithoutChangingStatus() {
    RecordingProgress.Change c = RecordingProgress.apply(recording(RecordingStatus.STARTING, null), report(Status.STARTING))
        .orElseThrow();
    assertThat(c.to()).isEqualTo(RecordingStatus.STARTING);
    assertThat(c.egressId()).isEqualTo(EGRESS);
    assertThat(c.stopped()).isFalse();
  }

  @Test
  void reportsAboutAnotherEgressAreIgnored() {
    EgressReport other = new EgressReport("EG_other", "mtg_x", Status.COMPLETE, null, null, null, null, null, null, List.of());
    assertThat(RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), other)).isEmpty();
  }

  @Test
  void failuresCarryLiveKitsErrorOrSayWhatHappened() {
    EgressReport failed = new EgressReport(EGRESS, "mtg_x", Status.FAILED, null, null, "could not upload", null, null, null,
        List.of());
    RecordingProgress.Change c = RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), failed).orElseThrow();
    assertThat(c.to()).isEqualTo(RecordingStatus.FAILED);
    assertThat(c.error()).isEqualTo("could not upload");
    assertThat(c.stopped()).isTrue();
    assertThat(RecordingProgress.apply(recording(RecordingStatus.STARTING, null), report(Status.ABORTED)).orElseThrow().error())
        .isEqualTo("LiveKit reported the egress aborted");
  }

  @Test
  void theLimitEndsARecordingWithAGoodFile() {
    assertThat(RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), report(Status.LIMIT_REACHED))
        .orElseThrow().to()).isEqualTo(RecordingStatus.READY);
  }

  @Test
  void leavingStartingOrRecordingIsWhenPeopleAreTold() {
    assertThat(RecordingProgress.apply(recording(RecordingStatus.RECORDING, EGRESS), report(Status.ENDING)).orElseThrow().stopped())
        .isTrue();
    assertThat(RecordingProgress.apply(recording(RecordingStatus.STARTING, null), report(Status.ACTIVE)).orElseThrow().stopped())
        .isFalse();
    assertThat(RecordingProgress.fail(recording(RecordingStatus.STARTING, null), "no report").orElseThrow().stopped()).isTrue();
    assertThat(RecordingProgress.fail(recording(RecordingStatus.PROCESSING, EGRESS), "no report").orElseThrow().stopped()).isFalse();
  }

  @Test
  void aSilentEgressIsOverdueAfterItsDeadline() {
    Duration start = Duration.ofSeconds(120);
    Duration processing = Duration.ofMinutes(60);
    Recording starting = recording(RecordingStatus.STARTING, null);
    assertThat(RecordingProgress.overdue(starting, T0.plusSeconds(119), start, processing)).isEmpty();
    assertThat(RecordingProgress.overdue(starting, T0.plusSeconds(120), start, processing)).isPresent();
    Recording recordingNow = recording(RecordingStatus.RECORDING, EGRESS);
    assertThat(RecordingProgress.overdue(recordingNow, T0.plus(Duration.ofDays(2)), start, processing))
        .as("long recordings have no deadline").isEmpty();
    Recording processingNow = recording(RecordingStatus.PROCESSING, EGRESS);
    assertThat(RecordingProgress.overdue(processingNow, T0.plusSeconds(3599), start, processing)).isEmpty();
    assertThat(RecordingProgress.overdue(processingNow, T0.plusSeconds(3600), start, processing)).isPresent();
  }

  @Test
  void anEgressThatRunsForARecordingNobodyWantsIsStopped() {
    Recording failed = recording(RecordingStatus.FAILED, EGRESS);
    assertThat(RecordingProgress.stopWanted(failed, report(Status.ACTIVE))).isTrue();
    assertThat(RecordingProgress.stopWanted(failed, report(Status.COMPLETE))).isFalse();
    Recording running = recording(RecordingStatus.RECORDING, EGRESS);
    assertThat(RecordingProgress.stopWanted(running, report(Status.ACTIVE))).isFalse();
    Recording stopAsked = new Recording(running.id(), running.meetingId(), EGRESS, RecordingStatus.RECORDING, false, "alice",
        "r.mp4", T0, "alice", "stopped", null, null, null, null, T0, null, null, T0, T0);
    assertThat(RecordingProgress.stopWanted(stopAsked, report(Status.ACTIVE))).isTrue();
  }

  @Test
  void aRecordingIsFoundByTheIdInItsFilePath() {
    assertThat(Recordings.recordingIdIn(report(Status.ACTIVE))).contains("rec_0123456789012345678901");
    assertThat(Recordings.recordingIdIn(new EgressReport(EGRESS, "mtg_x", Status.ACTIVE, null, null, null, null, null, null,
        List.of("elsewhere/file.mp4")))).isEmpty();
    assertThat(Recordings.plausible(Recordings.newId())).isTrue();
    assertThat(Recordings.plausible("rec_short")).isFalse();
    assertThat(Recordings.plausible("rec_0123456789012345678901/../x")).isFalse();
  }
}

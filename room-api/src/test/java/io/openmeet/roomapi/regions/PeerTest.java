package io.openmeet.roomapi.regions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerTest {

  @Test
  void theSameListServesEveryRegionBecauseTheLocalOneIsLeftOut() {
    List<String> all =
        List.of(
            "eu-west-1=https://eu-west-1.meet.example.com/",
            " us-east-1 = https://us-east-1.meet.example.com ",
            "");

    assertThat(Peer.parse(all, "eu-west-1"))
        .containsExactly(new Peer("us-east-1", URI.create("https://us-east-1.meet.example.com")));
    assertThat(Peer.parse(all, "us-east-1"))
        .containsExactly(new Peer("eu-west-1", URI.create("https://eu-west-1.meet.example.com")));
  }

  @Test
  void badEntriesAreRefusedNamingTheEntryAndWhy() {
    assertThatThrownBy(() -> Peer.parse(List.of("https://x.example.com"), "a"))
        .hasMessageContaining("'https://x.example.com'")
        .hasMessageContaining("expected <region>=<base URL>");
    assertThatThrownBy(() -> Peer.parse(List.of("b=ftp://x.example.com"), "a"))
        .hasMessageContaining("http(s)://host[:port] without a path");
    assertThatThrownBy(() -> Peer.parse(List.of("b=https://x.example.com/meet"), "a"))
        .hasMessageContaining("without a path");
    assertThatThrownBy(() -> Peer.parse(List.of("b c=https://x.example.com"), "a"))
        .hasMessageContaining("region name");
    assertThatThrownBy(
            () -> Peer.parse(List.of("b=https://x.example.com", "b=https://y.example.com"), "a"))
        .hasMessageContaining("region b is named twice");
  }

  @Test
  void theRedirectKeepsPathAndQuery() {
    Peer home = new Peer("b", URI.create("https://b.meet.example.com"));

    assertThat(RoomRegions.redirectTarget(home, "/r/quiet-river", "lang=de"))
        .isEqualTo(URI.create("https://b.meet.example.com/r/quiet-river?lang=de"));
    assertThat(RoomRegions.redirectTarget(home, "/api/rooms/quiet-river", null))
        .isEqualTo(URI.create("https://b.meet.example.com/api/rooms/quiet-river"));
  }
}

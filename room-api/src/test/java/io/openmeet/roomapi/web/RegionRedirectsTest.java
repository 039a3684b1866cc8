package io.openmeet.roomapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegionRedirectsTest {

  @Test
  void roomLinksAndRoomReadsNameTheirRoom() {
    assertThat(RegionRedirects.roomOf("/quiet-river-42")).isEqualTo("quiet-river-42");
    assertThat(RegionRedirects.roomOf("/r/quiet-river-42/")).isEqualTo("quiet-river-42");
    assertThat(RegionRedirects.roomOf("/api/rooms/quiet-river-42")).isEqualTo("quiet-river-42");
    assertThat(RegionRedirects.roomOf("/api/rooms/3f1e7c1a-8a6b-4d0e-9f43-0c5a2b7d9e11"))
        .isEqualTo("3f1e7c1a-8a6b-4d0e-9f43-0c5a2b7d9e11");
  }

  @Test
  void everythingElseIsLeftAlone() {
    assertThat(RegionRedirects.roomOf("/")).isNull();
    assertThat(RegionRedirects.roomOf("/api/rooms")).isNull();
    assertThat(RegionRedirects.roomOf("/api/rooms/abc/tokens")).isNull();
    assertThat(RegionRedirects.roomOf("/api/signalling/abc")).isNull();
    assertThat(RegionRedirects.roomOf("/q/health")).isNull();
    assertThat(RegionRedirects.roomOf("/assets/index.js")).isNull();
    assertThat(RegionRedirects.roomOf(null)).isNull();
  }
}

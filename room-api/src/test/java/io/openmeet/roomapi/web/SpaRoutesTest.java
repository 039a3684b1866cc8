package io.openmeet.roomapi.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpaRoutesTest {

  @Test
  void roomLinksAreRewritten() {
    assertThat(SpaRoutes.isRoomLink("/quiet-river-42")).isTrue();
    assertThat(SpaRoutes.isRoomLink("/r/quiet-river-42")).isTrue();
    assertThat(SpaRoutes.isRoomLink("/r/Abc_1/")).isTrue();
  }

  @Test
  void apiHealthAssetsAndOtherPathsAreLeftAlone() {
    assertThat(SpaRoutes.isRoomLink("/")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/api")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/q")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/api/rooms")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/api/signalling/abc")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/q/health")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/favicon.ico")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/assets/index-abc.js")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/-bad")).isFalse();
    assertThat(SpaRoutes.isRoomLink("/a/b/c")).isFalse();
    assertThat(SpaRoutes.isRoomLink(null)).isFalse();
  }
}

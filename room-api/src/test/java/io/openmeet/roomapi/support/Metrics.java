package io.openmeet.roomapi.support;

import io.restassured.RestAssured;
import java.net.URL;

/**
 * The running test app's Prometheus text. A test class gets the URL on the management port with
 * {@code @TestHTTPResource(value = "metrics", management = true) URL metrics;}.
 */
public final class Metrics {

  private Metrics() {}

  /** GET the given /q/metrics URL, asserted 200. */
  public static String text(URL metrics) {
    return RestAssured.get(metrics.toString()).then().statusCode(200).extract().asString();
  }
}

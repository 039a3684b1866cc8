# One name, several regions: Route 53 answers with a region's ingress load balancer, chosen by latency
# (or continent), and only while that region's room-api answers its readiness check. Each region also
# gets a name of its own, <region>.<domain>: room links and sockets use it (a room lives in one
# region), and the health check asks it, so it tests that region and no other.
resource "aws_route53_record" "regional" {
  for_each = var.regional_endpoints

  zone_id = var.zone_id
  name    = "${each.key}.${var.record_name}"
  type    = "A"

  alias {
    name                   = each.value.lb_dns_name
    zone_id                = each.value.lb_zone_id
    evaluate_target_health = true
  }
}

# room-api is ready only when its database, Redis and Prosody answer: the check covers the region's
# whole control plane, not just the load balancer in front of it.
resource "aws_route53_health_check" "room_api" {
  for_each = var.regional_endpoints

  fqdn              = "${each.key}.${var.record_name}"
  type              = "HTTPS"
  port              = 443
  resource_path     = var.health_check_path
  enable_sni        = true
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = false

  tags = merge(var.tags, { Name = "openmeet room-api ${each.key}" })
}

resource "aws_route53_record" "region" {
  for_each = var.regional_endpoints

  zone_id         = var.zone_id
  name            = var.record_name
  type            = "A"
  set_identifier  = each.key
  health_check_id = aws_route53_health_check.room_api[each.key].id

  alias {
    name                   = each.value.lb_dns_name
    zone_id                = each.value.lb_zone_id
    evaluate_target_health = true
  }

  dynamic "latency_routing_policy" {
    for_each = var.routing_policy == "latency" ? [each.value.aws_region] : []

    content {
      region = latency_routing_policy.value
    }
  }

  dynamic "geolocation_routing_policy" {
    for_each = var.routing_policy == "geolocation" ? [each.value.geo_continent] : []

    content {
      continent = geolocation_routing_policy.value == "*" ? null : geolocation_routing_policy.value
      country   = geolocation_routing_policy.value == "*" ? "*" : null
    }
  }
}

# What spans the regions: the site's name with latency (or geolocation) routing and health checks on
# each region's room-api, and each region's own name. Its state lives in the primary region's bucket.
# Apply it after the Helm install of every region: the ingress load balancers exist only then.
module "dns" {
  source = "../../modules/route53"

  zone_id        = var.zone_id
  record_name    = var.domain
  routing_policy = var.routing_policy
  tags           = { project = "openmeet", managed-by = "terraform" }

  regional_endpoints = {
    for region, lb in var.ingress_load_balancers : region => {
      aws_region    = region
      lb_dns_name   = lb.dns_name
      lb_zone_id    = lb.zone_id
      geo_continent = lb.geo_continent
    }
  }
}

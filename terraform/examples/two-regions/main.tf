# Two regions with the same layout; one DNS name routes each browser to the closer region. Rooms live
# in one region; large conferences spanning regions are joined by bridge relays (Octo).
locals {
  tags = { project = "openmeet", managed-by = "terraform" }

  regions = {
    (var.primary.aws_region)   = var.primary
    (var.secondary.aws_region) = var.secondary
  }
}

module "primary" {
  source = "../../modules/region"

  providers = {
    aws = aws.primary
  }

  name               = "openmeet-${var.primary.aws_region}"
  aws_region         = var.primary.aws_region
  availability_zones = var.primary.availability_zones
  cidr_block         = var.primary.cidr_block
  domain             = var.domain
  redis_auth_token   = var.redis_auth_token
  tags               = local.tags
}

module "secondary" {
  source = "../../modules/region"

  providers = {
    aws = aws.secondary
  }

  name               = "openmeet-${var.secondary.aws_region}"
  aws_region         = var.secondary.aws_region
  availability_zones = var.secondary.availability_zones
  cidr_block         = var.secondary.cidr_block
  domain             = var.domain
  redis_auth_token   = var.redis_auth_token
  tags               = local.tags
}

module "dns" {
  source = "../../modules/route53"

  providers = {
    aws = aws.primary
  }

  zone_id        = var.zone_id
  record_name    = var.domain
  routing_policy = var.routing_policy

  regional_endpoints = {
    for region, lb in var.ingress_load_balancers : region => {
      aws_region    = region
      lb_dns_name   = lb.dns_name
      lb_zone_id    = lb.zone_id
      geo_continent = local.regions[region].geo_continent
    }
  }
}

# Everything one region needs below the Helm chart: network, Kubernetes, PostgreSQL and Redis.
locals {
  jvb_media_port   = 10000
  turn_port        = 3478
  turn_relay_ports = { min = 49152, max = 51151 }
}

module "vpc" {
  source = "../vpc"

  name               = var.name
  cidr_block         = var.cidr_block
  availability_zones = var.availability_zones
  tags               = var.tags
}

module "eks" {
  source = "../eks"

  name               = var.name
  vpc_id             = module.vpc.vpc_id
  private_subnet_ids = module.vpc.private_subnet_ids
  public_subnet_ids  = module.vpc.public_subnet_ids
  jvb_media_port     = local.jvb_media_port
  turn_port          = local.turn_port
  turn_relay_ports   = local.turn_relay_ports
  tags               = var.tags

  bridge_node_group = {
    instance_types = ["c6in.2xlarge"]
    min_size       = 2
    desired_size   = 2
    max_size       = var.bridge_max_nodes
  }
}

module "rds" {
  source = "../rds"

  name                    = var.name
  vpc_id                  = module.vpc.vpc_id
  subnet_ids              = module.vpc.private_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  tags                    = var.tags
}

module "elasticache" {
  source = "../elasticache"

  name                    = var.name
  vpc_id                  = module.vpc.vpc_id
  subnet_ids              = module.vpc.private_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  auth_token              = var.redis_auth_token
  tags                    = var.tags
}

# One region of openmeet, with its own state (backends/<region>.s3.tfbackend): a region is planned and
# applied on its own, and an outage of one region's AWS APIs never blocks the others.
#   terraform init -backend-config=backends/eu-west-1.s3.tfbackend
#   terraform apply -var-file=eu-west-1.tfvars -var redis_auth_token=...
module "region" {
  source = "../../modules/region"

  name               = "openmeet-${var.aws_region}"
  aws_region         = var.aws_region
  availability_zones = var.availability_zones
  cidr_block         = var.cidr_block
  domain             = var.domain
  all_regions        = var.all_regions
  bridge_max_nodes   = var.bridge_max_nodes
  redis_auth_token   = var.redis_auth_token
  tags               = { project = "openmeet", managed-by = "terraform", region = var.aws_region }
}

terraform {
  required_version = ">= 1.5.0"

  # Partial configuration: bucket, region and lock table come from backends/<region>.s3.tfbackend.
  backend "s3" {
    key = "openmeet/region.tfstate"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

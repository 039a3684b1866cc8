terraform {
  required_version = ">= 1.5.0"

  # Partial configuration: backends/global.s3.tfbackend (the primary region's bucket).
  backend "s3" {
    key = "openmeet/global.tfstate"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
}

provider "aws" {
  region = var.primary_region
}

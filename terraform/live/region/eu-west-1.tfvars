aws_region         = "eu-west-1"
availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
cidr_block         = "10.40.0.0/16"
domain             = "meet.example.com"
all_regions        = ["eu-west-1", "us-east-1"]

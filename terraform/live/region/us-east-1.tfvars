aws_region         = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
cidr_block         = "10.41.0.0/16"
domain             = "meet.example.com"
all_regions        = ["eu-west-1", "us-east-1"]

# Run once per region, with local state, before anything else:
#   terraform -chdir=terraform/bootstrap apply -var aws_region=eu-west-1 -var bucket_name=...
# Then point terraform/live/*/backends/<region>.s3.tfbackend at the bucket and table it made.
module "state" {
  source = "../modules/state-backend"

  bucket_name     = var.bucket_name
  lock_table_name = var.lock_table_name
  tags            = { project = "openmeet", managed-by = "terraform" }
}

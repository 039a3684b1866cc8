output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS attaches to every node; databases admit it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "bridge_security_group_id" {
  description = "Security group opening the media and TURN ports on bridge nodes."
  value       = aws_security_group.bridges.id
}

output "control_node_selector" {
  description = "Helm value roomApi.nodeSelector (and prosody.nodeSelector)."
  value       = aws_eks_node_group.control.labels
}

output "bridge_node_selector" {
  description = "Helm value jvb.nodeSelector (and coturn.nodeSelector); pods also need the openmeet.io/bridges toleration."
  value       = aws_eks_node_group.bridges.labels
}

output "cluster_autoscaler_helm_values" {
  description = "Values for the cluster-autoscaler Helm chart (kube-system, service account cluster-autoscaler, whose AWS role Pod Identity provides)."

  value = yamlencode({
    autoDiscovery = { clusterName = aws_eks_cluster.this.name }
    awsRegion     = data.aws_region.current.name

    rbac = {
      serviceAccount = { create = true, name = aws_eks_pod_identity_association.cluster_autoscaler.service_account }
    }

    extraArgs = {
      # emptyDir scratch space (room-api's /tmp) must not pin a node; bridges are pinned by their
      # safe-to-evict=false annotation instead (helm/openmeet), so only the HPA removes a bridge,
      # by draining it, and the autoscaler then removes the empty node.
      "skip-nodes-with-local-storage" = false
      "balance-similar-node-groups"   = true
      "expander"                      = "least-waste"
    }
  })
}
